import ArgumentParser
import Foundation
import HeraldCore
import HeraldDispatch
import HeraldServer
import HeraldStore

struct Redrive: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Send again what gave up: a fresh delivery for each dead (or failed) delivery a filter selects.",
        discussion: """
            After an outage longer than the retry budget, deliveries end `dead`. Once the channel works \
            again:  herald redrive --channel email --since 2d --dry-run   then without --dry-run. \
            Each gets a new delivery on the same channel and address with a full retry budget (the old one \
            keeps its history, with a `redriven` event naming the new one). Skipped, with the reason: \
            messages that expired, addresses suppressed since, deliveries whose fallback took over, and \
            deliveries redriven before. Works with the daemon down; the running daemon picks the new \
            deliveries up within its poll interval. Exit 0 also when nothing matched.
            """)

    @OptionGroup var options: GlobalOptions
    @Option(help: "Only this channel.") var channel: String?
    @Option(name: .customLong("state"), help: "dead (default) or failed; repeat for both.") var states: [String] = []
    @Option(help: "Gave up at or after this time: RFC 3339, or a duration back from now such as 2d.") var since: String?
    @Option(help: "Gave up before this time (same forms).") var until: String?
    @Option(help: "Look at no more than this many deliveries.") var limit: Int?
    @Option(help: "Why; recorded on the events.") var reason: String?
    @Flag(help: "Show what would be redriven; change nothing.") var dryRun = false
    @Flag(help: "Print as JSON (the API's shape).") var json = false

    func validate() throws {
        for state in states where !(DeliveryState(rawValue: state).map(RedriveRequest.redrivable.contains) ?? false) {
            throw ValidationError("--state must be dead or failed, not '\(state)'")
        }
        for (name, value) in [("--since", since), ("--until", until)] {
            if let value, RedriveRequest.time(value, now: 0) == nil {
                throw ValidationError("\(name) must be an RFC 3339 time or a duration such as 2d")
            }
        }
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1") }
        if let reason, reason.contains(where: \.isNewline) { throw ValidationError("--reason must be one line") }
    }

    func run() async throws {
        try await CLIFailure.guarding {
            let actor = GlobalOptions.actor
            let now = Timestamps.now()
            try await options.withStore { config, store in
                let configured = config.channels.map(\.name).sorted()
                if let channel, !configured.contains(channel) {
                    throw CLIFailure("unknown channel '\(channel)' (configured: \(configured.joined(separator: ", ")))", code: 65)
                }
                let request = RedriveRequest(
                    states: states.isEmpty ? [.dead] : Array(Set(states.compactMap(DeliveryState.init(rawValue:)))),
                    channel: channel, since: since.flatMap { RedriveRequest.time($0, now: now) },
                    until: until.flatMap { RedriveRequest.time($0, now: now) }, dryRun: dryRun, actor: actor, reason: reason,
                    now: now)
                let quiet = json
                let verb = dryRun ? "would redrive" : "redriven"
                let outcome = try await Redriver(store: store).run(request, total: limit ?? Int.max) { soFar in
                    guard !quiet else { return }
                    Progress.show("looked at \(soFar.items.count): \(verb) \(soFar.redriven.count), skipped \(soFar.skipped.count)…")
                }
                if !json { Progress.done() }
                if json {
                    print(RedriveJSON.outcome(outcome, dryRun: dryRun).canonicalText)
                } else {
                    report(outcome)
                }
            }
        }
    }

    private func report(_ outcome: RedrivePage) {
        let redriven = outcome.redriven
        if !redriven.isEmpty {
            var table = TextTable("DELIVERY", "STATE", "ATTEMPTS", "CHANNEL", "DESTINATION", "LAST ERROR", "NEW DELIVERY")
            for item in redriven {
                table.add(item.deliveryID, item.state.rawValue, String(item.attempts), item.channel,
                          DestinationRules.redacted(item.destination), TextTable.clipped(item.lastError ?? "-"),
                          item.newDeliveryID ?? "(dry run)")
            }
            print(table.render())
        }
        let skipped = outcome.skipped
        if !skipped.isEmpty {
            var table = TextTable("SKIPPED", "WHY")
            for item in skipped { table.add(item.deliveryID, item.skipped ?? "") }
            print(table.render())
        }
        let n = redriven.count
        print("\(dryRun ? "would redrive" : "redrove") \(n) deliver\(n == 1 ? "y" : "ies"), skipped \(skipped.count)"
              + (outcome.nextCursor != nil ? " (stopped at --limit; more may match)" : ""))
    }
}
