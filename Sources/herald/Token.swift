import ArgumentParser
import HeraldCore
import HeraldStore

struct Token: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Manage API tokens (only a hash is stored; the secret is shown once, at creation).",
        subcommands: [Create.self, List.self, Revoke.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a token and print its secret once.",
            discussion: "Example: herald token create --name crm --scope send,read")
        @OptionGroup var options: GlobalOptions
        @Option(help: "A unique name; it is recorded as the actor of what the token does.") var name: String
        @Option(help: "Comma-separated scopes: send, read, resend, admin.") var scope: String
        @Option(help: "Requests per second this token may make (bursts up to one second's worth); default unlimited.")
        var rateLimit: Int?
        @Option(help: "The CSM the token belongs to (their email, as in the client registry): the dashboard's \"my clients\" and \"my tasks\".")
        var csm: String?
        @Option(help: ArgumentHelp(
            "When the token stops working: a duration from now (90d, 12h) or a time (2027-03-31T00:00:00Z); default never.",
            valueName: "duration-or-time"))
        var expires: String?
        @Flag(help: "Print as JSON.") var json = false

        /// The expiry `--expires` names, relative to `now`; nil without the option.
        func expiry(now: Int64) throws -> Int64? {
            guard let expires else { return nil }
            if let millis = DurationText.milliseconds(expires) {
                guard millis > 0 else { throw ValidationError("--expires must be in the future") }
                return now + millis
            }
            guard let at = Timestamps.parse(expires) else {
                throw ValidationError("--expires must be a duration (90d, 12h, 30m) or a time (2027-03-31T00:00:00Z)")
            }
            guard at > now else { throw ValidationError("--expires \(expires) has already passed") }
            return at
        }

        func validate() throws {
            _ = try expiry(now: Timestamps.now())
            if let csm, csm.isEmpty || csm.count > 254 || csm.contains(where: { $0.isNewline || $0 == " " }) {
                throw ValidationError("--csm must be the CSM's email, as the client registry has it")
            }
            if let rateLimit, !(1...1_000_000).contains(rateLimit) { throw ValidationError("--rate-limit must be from 1 to 1000000") }
            guard MessageRequestParser.isTemplateName(name) else {
                throw ValidationError("--name may use a-z, 0-9, '-' and '_' only")
            }
            for item in scope.split(separator: ",") where APIScope(rawValue: String(item)) == nil {
                throw ValidationError("unknown scope '\(item)'; use send, read, resend, admin")
            }
        }

        func run() async throws {
            try await CLIFailure.guarding {
                let secret = TokenSecret.generate()
                let scopes = Set(scope.split(separator: ",").compactMap { APIScope(rawValue: String($0)) })
                let now = Timestamps.now()
                let token = APIToken(
                    id: HeraldID.make(.token), name: name, scopes: scopes, prefix: String(secret.prefix(9)),
                    createdAt: now, revokedAt: nil, rateLimit: rateLimit, csm: csm, expiresAt: try expiry(now: now))
                try await options.withStore { _, store in try await store.createToken(token, hash: TokenSecret.hash(secret)) }
                if json {
                    print(JSONValue.object([
                        "id": .string(token.id), "name": .string(name), "token": .string(secret),
                        "scopes": .array(scopes.sorted().map { .string($0.rawValue) }),
                        "rate_limit": rateLimit.map { .int(Int64($0)) } ?? .null,
                        "csm": csm.map(JSONValue.string) ?? .null,
                        "expires_at": token.expiresAt.map { .string(Timestamps.format($0)) } ?? .null,
                    ]).canonicalText)
                } else {
                    let until = token.expiresAt.map { ", expires \(Timestamps.format($0, fractionalSeconds: false))" } ?? ""
                    print("created token '\(name)' (\(scopes.sorted().map(\.rawValue).joined(separator: ", "))\(until))")
                    print(secret)
                    print("store it now: it is not shown again (only its hash is kept)")
                }
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List tokens (never their secrets).",
            discussion: """
                LAST USED is when the token last authenticated a request, to the minute ("never" for a token \
                nobody has used); a token unused for months is a candidate for herald token revoke. STATUS is \
                active, expired or revoked.
                """)
        @OptionGroup var options: GlobalOptions
        @Flag(help: "Print as JSON.") var json = false

        func run() async throws {
            try await CLIFailure.guarding {
                let tokens = try await options.withStore { _, store in try await store.tokens() }
                let now = Timestamps.now()
                if json {
                    print(JSONValue.array(tokens.map { t in
                        .object([
                            "id": .string(t.id), "name": .string(t.name), "prefix": .string(t.prefix),
                            "scopes": .array(t.scopes.sorted().map { .string($0.rawValue) }),
                            "created_at": .string(Timestamps.format(t.createdAt)),
                            "revoked_at": t.revokedAt.map { .string(Timestamps.format($0)) } ?? .null,
                            "rate_limit": t.rateLimit.map { .int(Int64($0)) } ?? .null,
                            "csm": t.csm.map(JSONValue.string) ?? .null,
                            "expires_at": t.expiresAt.map { .string(Timestamps.format($0)) } ?? .null,
                            "last_used_at": t.lastUsedAt.map { .string(Timestamps.format($0)) } ?? .null,
                            "status": .string(t.status(at: now)),
                        ])
                    }).canonicalText)
                    return
                }
                var table = TextTable("NAME", "PREFIX", "SCOPES", "CSM", "RATE LIMIT", "CREATED", "EXPIRES", "LAST USED", "STATUS")
                for t in tokens {
                    table.add(t.name, t.prefix + "…", t.scopes.sorted().map(\.rawValue).joined(separator: ","), t.csm ?? "-",
                              t.rateLimit.map { "\($0)/s" } ?? "-", Timestamps.format(t.createdAt, fractionalSeconds: false),
                              t.expiresAt.map { Timestamps.format($0, fractionalSeconds: false) } ?? "never",
                              t.lastUsedAt.map { Timestamps.format($0, fractionalSeconds: false) } ?? "never", t.status(at: now))
                }
                print(tokens.isEmpty ? "no tokens (create one with: herald token create --name NAME --scope send,read)" : table.render())
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a token by name; it stops working at once.")
        @OptionGroup var options: GlobalOptions
        @Argument(help: "Token name.") var name: String

        func run() async throws {
            try await CLIFailure.guarding {
                let done = try await options.withStore { _, store in try await store.revokeToken(name: name, at: Timestamps.now()) }
                guard done else { throw HeraldError.notFound("no active token named '\(name)'") }
                print("revoked token '\(name)'")
            }
        }
    }
}
