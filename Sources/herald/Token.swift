import ArgumentParser
import HeraldCore
import HeraldStore

struct Token: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Manage API tokens (only a hash is stored; the secret is shown once, at creation).",
        subcommands: [Create.self, List.self, Rotate.self, Revoke.self])

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

        func validate() throws {
            _ = try Token.expiry(expires, now: Timestamps.now())
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
                    createdAt: now, revokedAt: nil, rateLimit: rateLimit, csm: csm, expiresAt: try Token.expiry(expires, now: now))
                try await options.withStore { _, store in try await store.createToken(token, hash: TokenSecret.hash(secret)) }
                Token.printNew(token, secret: secret, verb: "created", json: json)
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

    /// Prints a token whose secret is shown this once: as JSON (with `retired`, when given), or as
    /// a summary line, the secret and a reminder.
    static func printNew(
        _ token: APIToken, secret: String, verb: String, json: Bool, retired: JSONValue? = nil, note: String? = nil
    ) {
        let scopes = token.scopes.sorted().map(\.rawValue)
        if json {
            var fields: [String: JSONValue] = [
                "id": .string(token.id), "name": .string(token.name), "token": .string(secret),
                "scopes": .array(scopes.map(JSONValue.string)),
                "rate_limit": token.rateLimit.map { .int(Int64($0)) } ?? .null,
                "csm": token.csm.map(JSONValue.string) ?? .null,
                "expires_at": token.expiresAt.map { .string(Timestamps.format($0)) } ?? .null,
            ]
            if let retired { fields["retired"] = retired }
            print(JSONValue.object(fields).canonicalText)
            return
        }
        let until = token.expiresAt.map { ", expires \(Timestamps.format($0, fractionalSeconds: false))" } ?? ""
        print("\(verb) token '\(token.name)' (\(scopes.joined(separator: ", "))\(until))")
        print(secret)
        print("store it now: it is not shown again (only its hash is kept)")
        if let note { print(note) }
    }

    /// The expiry `--expires` names, relative to `now`; nil without the option.
    static func expiry(_ expires: String?, now: Int64) throws -> Int64? {
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

    struct Rotate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Give a token a new secret; the old one keeps working for a grace period.",
            discussion: """
                The new secret gets the token's name, scopes, rate limit and CSM, and prints once. The old \
                secret is renamed NAME-retired-YYYYMMDD-HHMMSS and works until the grace period ends, so the \
                services using it can move over without a failed request; what they do meanwhile is recorded \
                under that name. The new secret's lifetime is --expires, or the old one's (90 days stay 90 \
                days), or none. Example: herald token rotate crm --grace 24h
                """)
        @OptionGroup var options: GlobalOptions
        @Argument(help: "Token name.") var name: String
        @Option(help: "How long the old secret keeps working (0s: not at all).") var grace = "24h"
        @Option(help: ArgumentHelp("When the new secret stops working: a duration or a time; default the old one's lifetime.",
                                   valueName: "duration-or-time"))
        var expires: String?
        @Flag(help: "Print as JSON.") var json = false

        func validate() throws {
            guard let millis = DurationText.milliseconds(grace), millis >= 0 else {
                throw ValidationError("--grace must be a duration (24h, 30m, 0s)")
            }
            _ = try Token.expiry(expires, now: Timestamps.now())
        }

        func run() async throws {
            try await CLIFailure.guarding {
                let now = Timestamps.now()
                let graceUntil = now + (DurationText.milliseconds(grace) ?? 0)
                let secret = TokenSecret.generate()
                let rotated = try await options.withStore { _, store -> (APIToken, APIToken)? in
                    guard let current = try await store.tokens().first(where: { $0.name == name && $0.isActive(at: now) }) else {
                        return nil
                    }
                    let lifetime = current.expiresAt.map { $0 - current.createdAt }
                    let replacement = APIToken(
                        id: HeraldID.make(.token), name: name, scopes: current.scopes, prefix: String(secret.prefix(9)),
                        createdAt: now, revokedAt: nil, rateLimit: current.rateLimit, csm: current.csm,
                        expiresAt: try Token.expiry(expires, now: now) ?? lifetime.map { now + $0 })
                    // Two rotations within a second get -2, -3… (a retired name is never reused).
                    for attempt in 1...20 {
                        let retiredName = "\(name)-retired-\(Self.stamp(now))" + (attempt == 1 ? "" : "-\(attempt)")
                        do {
                            guard let old = try await store.rotateToken(
                                name: name, replacement: replacement, hash: TokenSecret.hash(secret), retiredName: retiredName,
                                retiredUntil: graceUntil)
                            else { return nil }
                            return (replacement, old)
                        } catch let error as HeraldError where error.kind == .conflict && attempt < 20 {
                            continue
                        }
                    }
                    return nil
                }
                guard let (token, old) = rotated else { throw HeraldError.notFound("no active token named '\(name)'") }
                let oldUntil = old.expiresAt ?? graceUntil
                Token.printNew(
                    token, secret: secret, verb: "rotated", json: json,
                    retired: .object([
                        "id": .string(old.id), "name": .string(old.name), "expires_at": .string(Timestamps.format(oldUntil)),
                    ]),
                    note: "the old secret works until \(Timestamps.format(oldUntil, fractionalSeconds: false)) as '\(old.name)'")
            }
        }

        /// `20261207-104512` (UTC): a name suffix that sorts by time.
        static func stamp(_ millis: Int64) -> String {
            let text = Timestamps.format(millis, fractionalSeconds: false)   // 2026-12-07T10:45:12Z
            let digits = String(text.filter(\.isASCII).filter(\.isNumber))
            return String(digits.prefix(8)) + "-" + String(digits.dropFirst(8).prefix(6))
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
