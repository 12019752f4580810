import ArgumentParser
import Foundation
import HeraldCore
import HeraldServer
import HeraldStore

struct Send: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Enqueue a message from the shell (written durably to the database; the daemon delivers it).",
        discussion: """
            Example:
              herald send --to webhook=https://crm.example.com/hooks/herald \\
                --subject "Renewal in 30 days" --text "Your renewal is due." --data '{"renewal_date":"2026-12-23"}'
            """)

    @OptionGroup var options: GlobalOptions

    @Option(name: .long, help: ArgumentHelp("Destination as CHANNEL=ADDRESS; repeat for more.", valueName: "channel=address"))
    var to: [String] = []

    @Option(help: "Template name.") var template: String?
    @Option(help: "Subject (inline content).") var subject: String?
    @Option(help: "Plain-text body (inline content).") var text: String?
    @Option(help: "HTML body (inline content).") var html: String?
    @Option(help: "Template data as a JSON object, or @FILE to read it from a file.") var data: String?
    @Option(name: .customLong("client"), help: "Client id.") var clientID: String?
    @Option(help: "Locale, e.g. zh-CN or en.") var locale: String?
    @Option(help: "Send no earlier than this RFC 3339 time.") var sendAt: String?
    @Option(help: "Give up on unsent deliveries after this RFC 3339 time.") var expiresAt: String?
    @Option(help: "low, normal, high or urgent.") var priority: String?
    @Option(help: "transactional or marketing.") var category: String?
    @Option(help: "A repeat with the same key returns the first result.") var idempotencyKey: String?
    @Flag(help: "Print the result as JSON.") var json = false

    func validate() throws {
        if to.isEmpty { throw ValidationError("give at least one --to CHANNEL=ADDRESS") }
        for item in to where !item.contains("=") {
            throw ValidationError("--to '\(item)' must be CHANNEL=ADDRESS")
        }
    }

    func run() async throws {
        try await CLIFailure.guarding {
            let body = try requestObject()
            let result = try await options.withStore { config, store in
                let parser = MessageRequestParser(
                    channels: config.channelKinds, limits: config.limits,
                    renderer: MessageRenderer(library: try config.loadTemplates()))
                let now = Timestamps.now()
                let request = try parser.parse(body, now: now)
                return try await store.enqueue([PlannedMessage(request: request, now: now, actor: "cli")])
            }
            switch result.first {
            case .created(let m, let deliveries)?, .duplicate(let m, let deliveries)?:
                if json {
                    print(RecordJSON.accepted(m, deliveries).canonicalText)
                } else {
                    print("accepted \(m.id)")
                    var table = TextTable("DELIVERY", "CHANNEL", "STATUS", "DESTINATION")
                    for d in deliveries { table.add(d.id, d.channel, d.state.rawValue, DestinationRules.redacted(d.destination)) }
                    print(table.render())
                }
            case .conflict(let existing)?:
                throw HeraldError.conflict("idempotency key already used for \(existing) with a different request")
            case nil:
                throw HeraldError.internal("the store returned no result")
            }
        }
    }

    private func requestObject() throws -> JSONValue {
        var destinations: [String: [JSONValue]] = [:]
        for item in to {
            let parts = item.split(separator: "=", maxSplits: 1)
            destinations[String(parts[0]), default: []].append(.string(parts.count > 1 ? String(parts[1]) : ""))
        }
        var object: [String: JSONValue] = [
            "to": .object(destinations.mapValues { $0.count == 1 ? $0[0] : .array($0) })
        ]
        let strings: [(String, String?)] = [
            ("template", template), ("subject", subject), ("text", text), ("html", html), ("client_id", clientID),
            ("locale", locale), ("send_at", sendAt), ("expires_at", expiresAt), ("priority", priority),
            ("category", category), ("idempotency_key", idempotencyKey),
        ]
        for (key, value) in strings { if let value { object[key] = .string(value) } }
        if let data { object["data"] = try GlobalOptions.readData(data) }
        return .object(object)
    }
}
