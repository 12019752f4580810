import ArgumentParser
import HeraldCore
import HeraldServer
import HeraldStore

struct Cancel: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Stop a message: its deliveries that have not started, its escalation and its open call tasks.",
        discussion: """
            Deliveries already being sent or sent are left alone. Works with the daemon running (it never \
            claims a cancelled delivery) or stopped. Exit 1 when there is no such message or nothing is left \
            to cancel. The same as POST /v1/messages/{id}/cancel; events name cli:$USER as the actor.
            """)

    @OptionGroup var options: GlobalOptions

    @Argument(help: "Message id (msg_…).") var id: String
    @Flag(help: "Print the answer as JSON (the same shape as the API's).") var json = false

    func validate() throws { try GlobalOptions.checkMessageID(id) }

    func run() async throws {
        try await CLIFailure.guarding {
            let result = try await options.withStore { _, store in
                try await store.cancel(messageID: id, actor: GlobalOptions.actor, now: Timestamps.now())
            }
            if json {
                print(RecordJSON.cancel(result).canonicalText)
                return
            }
            let count = result.cancelled.count
            var line = "cancelled \(count) \(count == 1 ? "delivery" : "deliveries") of \(id)"
            if result.escalationsCancelled > 0 { line += "; its escalation will not fire" }
            if !result.tasksCancelled.isEmpty { line += "; call tasks cancelled: \(result.tasksCancelled.joined(separator: ", "))" }
            print(line)
            var table = TextTable("DELIVERY", "CHANNEL", "STATUS", "DESTINATION")
            for d in result.detail.deliveries {
                table.add(d.id, d.channel, d.state.rawValue, DestinationRules.redacted(d.destination))
            }
            print(table.render())
        }
    }
}
