import ArgumentParser
import Foundation
import HeraldCore
import HeraldDispatch
import HeraldServer
import HeraldStore

extension Clients {
    /// `herald clients handover --from OLD --to-email NEW --to-name NAME`: a CSM leaves or changes
    /// role, and their clients go to someone else in one transaction.
    struct HandOver: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "handover",
            abstract: "Hand a CSM's clients to another CSM, with their open call tasks and waiting messages.",
            discussion: """
                Every client whose CSM has the email --from (or only those named with --client) gets the new \
                CSM, in one transaction. Their open call tasks move to the new CSM, who is told of each as of a \
                new task and gets one email listing the clients (with --note). Their messages that have not gone \
                out yet reply to the new CSM and @-mention them instead; sent messages keep their history. \
                --dry-run shows what would change. Exit 1 when no client has that CSM; 65 when a named client is \
                not theirs.
                """)
        @OptionGroup var options: GlobalOptions
        @Option(help: "Email of the CSM handing over.") var from: String
        @Option(name: .customLong("to-email"), help: "Email of the CSM taking over.") var toEmail: String
        @Option(name: .customLong("to-name"), help: "Name of the CSM taking over.") var toName: String
        @Option(name: .customLong("to-phone"), help: "Their mobile (E.164), for robot @-mentions.") var toPhone: String?
        @Option(name: .customLong("to-wecom"), help: "Their WeCom user id.") var toWecom: String?
        @Option(name: .customLong("to-dingtalk"), help: "Their DingTalk user id.") var toDingtalk: String?
        @Option(name: .customLong("client"), help: "Only this client (repeat for more).") var clients: [String] = []
        @Option(help: "A note for the new CSM, in their handover email (goals, open items, what to watch).") var note: String?
        @Flag(help: "Show what would change; change nothing.") var dryRun = false
        @Flag(help: "Print as JSON.") var json = false

        /// The request as the API reads it, so both refuse the same things with the same words.
        func request() throws -> Handover {
            var to: [String: JSONValue] = ["name": .string(toName), "email": .string(toEmail)]
            if let toPhone { to["phone"] = .string(toPhone) }
            if let toWecom { to["wecom_user_id"] = .string(toWecom) }
            if let toDingtalk { to["dingtalk_user_id"] = .string(toDingtalk) }
            var body: [String: JSONValue] = ["from": .string(from), "to": .object(to), "dry_run": .bool(dryRun)]
            if !clients.isEmpty { body["clients"] = .array(clients.map(JSONValue.string)) }
            if let note { body["note"] = .string(note) }
            return try Handover.parse(.object(body))
        }

        func run() async throws {
            try await CLIFailure.guarding {
                let handover = try request()
                let now = Timestamps.now()
                let (result, tokens, links) = try await options.withStore { config, store in
                    let renderer = MessageRenderer(library: try config.loadTemplates())
                    let desk = PhoneDesk(config: config, store: store, renderer: renderer, logger: options.makeLogger())
                    let result = try await desk.handOver(handover, actor: GlobalOptions.actor, now: now)
                    return (
                        result, HandoverJSON.scoped(to: handover.from, try await store.tokens(), now: now),
                        DashboardLinks(publicURL: config.server.publicURL)
                    )
                }
                if json {
                    print(HandoverJSON.result(handover, result, tokens: tokens, now: now, links: links).canonicalText)
                    return
                }
                let tasksOf = Dictionary(grouping: result.tasks, by: { $0.clientID ?? "" })
                var table = TextTable("CLIENT", "NAME", "TIER", "OPEN TASKS")
                for c in result.clients { table.add(c.id, c.name, c.tier, String(tasksOf[c.id]?.count ?? 0)) }
                print(table.render())
                let verb = handover.dryRun ? "would go" : "went"
                let who = "\(handover.to.name) <\(handover.to.email ?? "")>"
                print("\(result.clients.count) client\(result.clients.count == 1 ? "" : "s") \(verb) from \(handover.from) to \(who)")
                if !result.tasks.isEmpty {
                    print("\(result.tasks.count) open call task\(result.tasks.count == 1 ? "" : "s") "
                        + (handover.dryRun ? "would move (the new CSM would be told of each)" : "moved; the new CSM is told of each"))
                }
                if result.messages > 0 {
                    print("\(result.messages) waiting message\(result.messages == 1 ? "" : "s") "
                        + (handover.dryRun ? "would reply to" : "now reply to") + " and mention the new CSM")
                }
                if !handover.dryRun {
                    print(result.summary.map { "\(handover.to.name) is told by email (\($0))" }
                        ?? "\(handover.to.name) is not told by email: no email channel, or its csm-handover template does not render (herald check-config)")
                }
                if !tokens.isEmpty {
                    print("tokens still scoped to \(handover.from): \(tokens.map(\.name).joined(separator: ", ")) "
                        + "(their dashboard has no clients now: herald token revoke NAME, then create one with --csm \(handover.to.email ?? ""))")
                }
            }
        }
    }
}
