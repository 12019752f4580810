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

        /// The request the options describe, or a usage error (exit 64) naming the option.
        func request(now: Int64) throws -> TokenRequest {
            if let problem = TokenRequest.nameProblem(name) { throw ValidationError("--name \(problem)") }
            if let csm, let problem = TokenRequest.csmProblem(csm) { throw ValidationError("--csm \(problem)") }
            if let rateLimit, let problem = TokenRequest.rateLimitProblem(rateLimit) { throw ValidationError("--rate-limit \(problem)") }
            let scopes: Set<APIScope>
            switch TokenRequest.scopes(scope) {
            case .success(let s): scopes = s
            case .failure(let problem): throw ValidationError("--scope: \(problem.reason)")
            }
            return TokenRequest(name: name, scopes: scopes, rateLimit: rateLimit, csm: csm, expiresAt: try Token.expiry(expires, now: now))
        }

        func validate() throws {
            _ = try request(now: Timestamps.now())
        }

        func run() async throws {
            try await CLIFailure.guarding {
                let now = Timestamps.now()
                let request = try request(now: now)
                let (token, secret) = try await options.withStore { _, store in try await TokenIssuer.create(request, actor: GlobalOptions.actor, store: store, now: now) }
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
                active, expired or revoked. Example: herald token list --status active --unused-for 90d \
                (the active tokens nobody has used for three months).
                """)
        @OptionGroup var options: GlobalOptions
        @Option(help: "Only tokens with this status: active, expired or revoked.") var status: String?
        @Option(help: "Only tokens not used for this long (never-used ones counted from their creation), e.g. 90d.")
        var unusedFor: String?
        @Flag(help: "Print as JSON.") var json = false

        func filter() throws -> TokenFilter {
            do {
                return try TokenFilter.parse(status: status, unusedFor: unusedFor)
            } catch {
                // The field's name as the option is spelled (unused_for → --unused-for).
                let problem = error.fields.first.map { "--" + String($0.name.map { $0 == "_" ? "-" : $0 }) + " \($0.reason)" }
                throw ValidationError(problem ?? error.detail)
            }
        }

        func validate() throws { _ = try filter() }

        func run() async throws {
            try await CLIFailure.guarding {
                let now = Timestamps.now()
                let filter = try filter()
                let tokens = try await options.withStore { _, store in try await store.tokens() }.filter { filter.matches($0, now: now) }
                if json {
                    print(JSONValue.array(tokens.map { $0.json(now: now) }).canonicalText)
                    return
                }
                var table = TextTable("NAME", "PREFIX", "SCOPES", "CSM", "RATE LIMIT", "CREATED", "BY", "EXPIRES", "LAST USED", "STATUS")
                for t in tokens {
                    table.add(t.name, t.prefix + "…", t.scopes.sorted().map(\.rawValue).joined(separator: ","), t.csm ?? "-",
                              t.rateLimit.map { "\($0)/s" } ?? "-", Timestamps.format(t.createdAt, fractionalSeconds: false), t.createdBy ?? "-",
                              t.expiresAt.map { Timestamps.format($0, fractionalSeconds: false) } ?? "never",
                              t.lastUsedAt.map { Timestamps.format($0, fractionalSeconds: false) } ?? "never", t.status(at: now).rawValue)
                }
                if tokens.isEmpty {
                    print(filter == TokenFilter() ? "no tokens (create one with: herald token create --name NAME --scope send,read)" : "no tokens match")
                } else {
                    print(table.render())
                }
            }
        }
    }

    /// Prints a token whose secret is shown this once: as JSON (with `retired`, when given), or as
    /// a summary line, the secret and a reminder.
    static func printNew(_ token: APIToken, secret: String, verb: String, json: Bool, retired: APIToken? = nil) {
        if json {
            print(token.issuedJSON(secret: secret, retired: retired).canonicalText)
            return
        }
        let until = token.expiresAt.map { ", expires \(Timestamps.format($0, fractionalSeconds: false))" } ?? ""
        print("\(verb) token '\(token.name)' (\(token.scopes.sorted().map(\.rawValue).joined(separator: ", "))\(until))")
        print(secret)
        print("store it now: it is not shown again (only its hash is kept)")
        if let retired, let until = retired.expiresAt {
            print("the old secret works until \(Timestamps.format(until, fractionalSeconds: false)) as '\(retired.name)'")
        }
    }

    /// The expiry `--expires` names, relative to `now`; nil without the option.
    static func expiry(_ expires: String?, now: Int64) throws -> Int64? {
        guard let expires else { return nil }
        switch TokenRequest.expiry(expires, now: now) {
        case .success(let at): return at
        case .failure(let problem): throw ValidationError("--expires \(problem.reason)")
        }
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
        @Option(help: "How long the old secret keeps working (0s: not at all).") var grace = TokenRequest.defaultGrace
        @Option(help: ArgumentHelp("When the new secret stops working: a duration or a time; default the old one's lifetime.",
                                   valueName: "duration-or-time"))
        var expires: String?
        @Flag(help: "Print as JSON.") var json = false

        func validate() throws {
            if case .failure(let problem) = TokenRequest.grace(grace) { throw ValidationError("--grace \(problem.reason)") }
            _ = try Token.expiry(expires, now: Timestamps.now())
        }

        func run() async throws {
            try await CLIFailure.guarding {
                let now = Timestamps.now()
                let grace = (try? TokenRequest.grace(grace).get()) ?? 0
                let expiresAt = try Token.expiry(expires, now: now)
                let rotated = try await options.withStore { _, store in
                    try await TokenIssuer.rotate(
                        name: name, grace: grace, expiresAt: expiresAt, actor: GlobalOptions.actor, store: store, now: now)
                }
                guard let (token, secret, old) = rotated else { throw HeraldError.notFound("no active token named '\(name)'") }
                Token.printNew(token, secret: secret, verb: "rotated", json: json, retired: old)
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a token by name; it stops working at once.")
        @OptionGroup var options: GlobalOptions
        @Argument(help: "Token name.") var name: String

        func run() async throws {
            try await CLIFailure.guarding {
                let done = try await options.withStore { _, store in
                    try await TokenIssuer.revoke(name: name, actor: GlobalOptions.actor, store: store, now: Timestamps.now())
                }
                guard done else { throw HeraldError.notFound("no active token named '\(name)'") }
                print("revoked token '\(name)'")
            }
        }
    }
}
