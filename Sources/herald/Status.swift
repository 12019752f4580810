import ArgumentParser
import HeraldCore
import HeraldServer
import HeraldStore

struct Status: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show a message: its deliveries, attempts and events (reads the database; works with the daemon down).")

    @OptionGroup var options: GlobalOptions

    @Argument(help: "Message id (msg_…).") var id: String
    @Flag(help: "Print the message as JSON (the same shape as GET /v1/messages/{id}).") var json = false

    func validate() throws { try GlobalOptions.checkMessageID(id) }

    func run() async throws {
        try await CLIFailure.guarding {
            let detail = try await options.withStore { _, store in try await store.message(id: id) }
            guard let detail else { throw HeraldError.notFound("no message with id \(id)") }
            if json {
                print(RecordJSON.detail(detail).canonicalText)
                return
            }
            let m = detail.message
            print("message   \(m.id)")
            print("created   \(Timestamps.format(m.createdAt))")
            if let key = m.idempotencyKey { print("key       \(key)") }
            if let client = m.clientID { print("client    \(client)") }
            if let template = m.template { print("template  \(template)") }
            if let subject = m.subject { print("subject   \(DisplayText.line(subject))") }
            if let replyTo = m.replyTo { print("reply-to  \(DisplayText.line(replyTo))") }
            print("")
            var deliveries = TextTable("DELIVERY", "CHANNEL", "STATUS", "ATTEMPTS", "DESTINATION", "LAST ERROR")
            for d in detail.deliveries {
                deliveries.add(d.id, d.channel, d.state.rawValue, String(d.attempts), DestinationRules.redacted(d.destination), d.lastError ?? "")
            }
            print(deliveries.render())
            print("")
            var events = TextTable("TIME", "DELIVERY", "EVENT", "DETAIL")
            for e in detail.events {
                events.add(Timestamps.format(e.createdAt), e.deliveryID ?? "", e.type, e.detail ?? "")
            }
            print(events.render())
        }
    }
}
