import ArgumentParser
import HeraldCore
import HeraldServer
import HeraldStore

struct Audit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Who changed what: tokens, suppressions, subscriptions, clients deleted or handed over, redrives, reloads.",
        discussion: """
            Newest first. ACTOR is token:NAME for the API and the dashboard, cli:USER for this command line. \
            What happened to a message (sends, resends, cancels) is in its own history: herald status ID. \
            Reads the database, so it works with the daemon down. The same over HTTP: GET /v1/audit.
            """)

    @OptionGroup var options: GlobalOptions
    @Option(help: "One action (token.revoked) or a kind of thing (token, suppression, subscription, client, clients, deliveries, config).")
    var action: String?
    @Option(help: "Only what this actor did (token:NAME, cli:USER).") var actor: String?
    @Option(help: "Only what was done to this token name, address, subscription id, client id or CSM email.") var subject: String?
    @Option(help: "From this time (RFC 3339) or this long ago (7d).") var since: String?
    @Option(help: "At most this many (1-500).") var limit: Int = 50
    @Flag(help: "Print as JSON (the API's items).") var json = false
    @Flag(help: "Print as CSV, details unclipped.") var csv = false

    func validate() throws {
        if json && csv { throw ValidationError("--json and --csv: choose one") }
    }

    func run() async throws {
        try await CLIFailure.guarding {
            var parameters: [(String, String)] = [("limit", String(limit))]
            for (name, value) in [("action", action), ("actor", actor), ("subject", subject), ("since", since)] {
                if let value { parameters.append((name, value)) }
            }
            let query = try AuditJSON.query(parameters, now: Timestamps.now())
            let entries = try await options.withStore { _, store in try await store.audit(matching: query) }
            if json {
                print(JSONValue.array(entries.map(AuditJSON.entry)).canonicalText)
                return
            }
            if csv {
                print(AuditJSON.csv(entries), terminator: "")
                return
            }
            var table = TextTable("TIME", "ACTOR", "ACTION", "SUBJECT", "DETAIL")
            for e in entries {
                table.add(
                    Timestamps.format(e.at, fractionalSeconds: false), DisplayText.line(e.actor), e.action.rawValue,
                    DisplayText.line(e.subject), TextTable.clipped(e.detail))
            }
            print(entries.isEmpty ? "nothing recorded" : table.render())
        }
    }
}
