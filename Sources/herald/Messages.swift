import ArgumentParser
import Foundation
import HeraldCore
import HeraldServer
import HeraldStore

struct Messages: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List messages, newest first: what a CSM checks before resending (reads the database).")

    @OptionGroup var options: GlobalOptions
    @Option(help: "Only messages about this client.") var client: String?
    @Option(help: "Only messages about clients of this tier.") var tier: String?
    @Option(help: "Only this template.") var template: String?
    @Option(help: "Only messages with a delivery on this channel.") var channel: String?
    @Option(help: "Only messages with a delivery in this state.") var status: String?
    @Flag(help: "Only messages none of whose deliveries was opened.") var unopened = false
    @Flag(help: "Only messages opened (or clicked).") var opened = false
    @Option(help: "Only messages at least this old, e.g. 48h.") var olderThan: String?
    @Option(help: "At most this many (1–500; with --csv any number, default all).") var limit: Int?
    @Flag(help: "Print as JSON (the items of GET /v1/messages).") var json = false
    @Flag(help: "Print every matching message as CSV, one row per delivery (GET /v1/messages?format=csv).") var csv = false

    func validate() throws {
        if unopened && opened { throw ValidationError("give --opened or --unopened, not both") }
        if let olderThan, DurationText.milliseconds(olderThan) == nil { throw ValidationError("--older-than must be a duration such as 48h") }
        if let status, DeliveryState(rawValue: status) == nil {
            throw ValidationError("--status must be one of: " + DeliveryState.allCases.map(\.rawValue).joined(separator: ", "))
        }
        if json && csv { throw ValidationError("--json and --csv: choose one") }
        if let limit, limit < 1 || (!csv && limit > 500) { throw ValidationError("--limit must be from 1 to 500 (any number with --csv)") }
    }

    func run() async throws {
        try await CLIFailure.guarding {
            var query = MessageQuery(clientID: client, template: template, state: status.flatMap(DeliveryState.init(rawValue:)),
                                     channel: channel, limit: limit ?? 50)
            query.tier = tier
            if unopened { query.engagement = .unopened }
            if opened { query.engagement = .opened }
            if let olderThan, let millis = DurationText.milliseconds(olderThan) { query.before = Timestamps.now() - millis }
            if csv {
                try await options.withStore { _, store in
                    try await MessagesCSV.export(store, query, maximum: limit) { text in print(text, terminator: "") }
                }
                return
            }
            let page = try await options.withStore { _, store in try await store.messages(matching: query) }
            if json {
                print(JSONValue.array(page.items.map { RecordJSON.listItem($0.message, $0.deliveries) }).canonicalText)
                return
            }
            var table = TextTable("MESSAGE", "CREATED", "CLIENT", "TEMPLATE", "DELIVERIES", "OPENED", "RESENT")
            for (m, deliveries) in page.items {
                let states = Dictionary(grouping: deliveries, by: \.state).map { "\($0.value.count) \($0.key.rawValue)" }.sorted()
                let engaged = deliveries.contains { $0.state == .opened || $0.state == .clicked }
                table.add(m.id, Timestamps.format(m.createdAt, fractionalSeconds: false), m.clientID ?? "-", m.template ?? "-",
                          states.joined(separator: ", "), engaged ? "yes" : "no", String(m.resendCount))
            }
            print(page.items.isEmpty ? "no messages" : table.render())
        }
    }
}
