import ArgumentParser
import HeraldCore
import HeraldStore

struct Route: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Explain which deliveries a message about a client would make, and which rule made each.")

    @OptionGroup var options: GlobalOptions
    @Option(help: "Client id.") var client: String
    @Option(help: "Template name (checked to exist for each channel).") var template: String?
    @Option(help: "Comma-separated channels overriding the tier's.") var channels: String?
    @Option(help: "transactional or marketing.") var category: String = "transactional"
    @Option(help: "low, normal, high or urgent.") var priority: String = "normal"
    @Flag(help: "Print as JSON.") var json = false

    func validate() throws {
        guard MessageRequest.Category(rawValue: category) != nil else { throw ValidationError("--category: transactional or marketing") }
        guard MessageRequest.Priority(rawValue: priority) != nil else { throw ValidationError("--priority: low, normal, high or urgent") }
    }

    func run() async throws {
        try await CLIFailure.guarding {
            let config = try options.loadConfig()
            let id = self.client
            let policy = config.routing
            let messageCategory = MessageRequest.Category(rawValue: category) ?? .transactional
            let override = channels.map { $0.split(separator: ",").map(String.init) }
            // The routes, with what the suppression list would stop as the enqueue would record it.
            // A listed address whose entry lets the fallback go on (a hard bounce, a wrong number, a
            // STOP) says which channel takes over.
            let (client, routes, fallsBack) = try await options.withStore { _, store -> (Client, [RoutingPolicy.Route], Set<Int>) in
                guard let client = try await store.client(id: id) else { throw HeraldError.notFound("no client with id \(id)") }
                var routes = try policy.routes(for: client, override: override, category: messageCategory)
                let listed = try await store.listedHits(
                    routes.map { ($0.channel, $0.suppressedReason == nil ? $0.address ?? "" : "") }, category: messageCategory)
                for (index, hit) in listed { routes[index].suppressedReason = hit.text }
                let fallsBack = Set(listed.filter { $0.value.startsFallback && !routes[$0.key].fallback.isEmpty }.keys)
                return (client, routes, fallsBack)
            }
            let now = Timestamps.now()
            let urgency = MessageRequest.Priority(rawValue: priority) ?? .normal
            let hold = policy.hold(for: client, sendAt: nil, priority: urgency, now: now)
            let (escalation, _) = policy.escalation(for: client, startsAt: hold?.0 ?? now, priority: urgency)
            let library = try config.loadTemplates()
            if json {
                print(JSONValue.object([
                    "client": .string(client.id), "tier": .string(client.tier),
                    "deliveries": .array(routes.enumerated().map { i, r in
                        .object(["channel": .string(r.channel), "destination": r.address.map { .string(DestinationRules.redacted($0)) } ?? .null,
                                 "suppressed": r.suppressedReason.map(JSONValue.string) ?? .null, "rule": .string(r.rule),
                                 "fallback": .array(r.fallback.map { .string($0.channel) }), "fallback_starts": .bool(fallsBack.contains(i))])
                    }),
                    "held_until": hold.map { .string(Timestamps.format($0.0)) } ?? .null,
                    "escalation": escalation.map { .string("\($0.channel) → \($0.destination) at \(Timestamps.format($0.dueAt)) unless \($0.unless.rawValue)") } ?? .null,
                ]).canonicalText)
                return
            }
            print("client \(client.id) (\(client.name)), tier \(client.tier)")
            var table = TextTable("CHANNEL", "DESTINATION", "STATUS", "RULE", "FALLBACK")
            for (i, r) in routes.enumerated() {
                var status = r.address == nil ? "skipped: \(r.suppressedReason ?? "")" : r.suppressedReason.map { "suppressed: \($0)" } ?? "send"
                if fallsBack.contains(i), let next = r.fallback.first { status += "; falls back to \(next.channel)" }
                if let template, r.address != nil, let kind = config.channelKinds[r.channel], kind != .webhook,
                    library.file(name: template, channel: kind.rawValue, locale: client.locale) == nil
                {
                    status = "no \(kind.rawValue) template '\(template)'"
                }
                table.add(r.channel, r.address ?? "-", status, r.rule, r.fallback.isEmpty ? "-" : r.fallback.map(\.channel).joined(separator: " → "))
            }
            print(table.render())
            if let hold { print("held until \(Timestamps.format(hold.0)): \(hold.1)") }
            if let e = escalation {
                print("escalates via \(e.channel) to \(e.destination) at \(Timestamps.format(e.dueAt)) unless \(e.unless.rawValue)")
            }
        }
    }
}
