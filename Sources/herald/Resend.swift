import ArgumentParser
import Foundation
import HeraldCore
import HeraldDispatch
import HeraldServer
import HeraldStore

struct Resend: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Resend a message, or every unopened message a filter selects.",
        discussion: """
            One message:  herald resend msg_… [--channel sms] [--reason …] [--force]
            In bulk:      herald resend --template welcome --tier strategic --unopened-for 48h [--dry-run]
            Guard rails ([resend] in herald.toml): at most max_per_message resends per message, min_interval \
            since the last send, opened messages only with --force, quiet hours of the client's tier. \
            A refused single resend exits 1 with the reason; a bulk resend lists what it skipped and why. \
            The daemon picks new deliveries up within its poll interval.
            """)

    @OptionGroup var options: GlobalOptions
    @Argument(help: "The message to resend (msg_…); omit for a bulk resend.") var id: String?
    @Option(help: "Resend on this channel instead (the same person's address on it).") var channel: String?
    @Option(help: "Why; recorded on the audit event.") var reason: String?
    @Flag(help: "Resend even if it was opened.") var force = false
    @Option(help: "Bulk: only this template.") var template: String?
    @Option(help: "Bulk: only clients of this tier.") var tier: String?
    @Option(name: .customLong("client"), help: "Bulk: only these clients (repeat).") var clients: [String] = []
    @Option(help: "Bulk: messages at least this old and never opened, e.g. 48h.") var unopenedFor: String?
    @Flag(help: "Show what would be resent; change nothing.") var dryRun = false
    @Flag(help: "Print as JSON (the API's shape).") var json = false

    func validate() throws {
        if id == nil && unopenedFor == nil { throw ValidationError("give a message id, or --unopened-for for a bulk resend") }
        if id != nil && (template != nil || tier != nil || !clients.isEmpty || unopenedFor != nil) {
            throw ValidationError("--template, --tier, --client and --unopened-for are for bulk resends (no message id)")
        }
        if let unopenedFor, DurationText.milliseconds(unopenedFor) == nil {
            throw ValidationError("--unopened-for must be a duration such as 48h")
        }
        if let id { try GlobalOptions.checkMessageID(id) }
    }

    func run() async throws {
        try await CLIFailure.guarding {
            let actor = GlobalOptions.actor
            let now = Timestamps.now()
            try await options.withStore { config, store in
                let resender = Resender(store: store, config: config)
                if let id {
                    let plan = try await resender.plan(messageID: id, channel: channel, reason: reason, force: force, actor: actor, now: now)
                    let made = dryRun ? nil : try await resender.execute(plan)
                    if json { print(ResendJSON.plan(plan, made: made).canonicalText) } else { printPlans([(plan, made)], skipped: []) }
                    return
                }
                let filter = Resender.Filter(
                    template: template, tier: tier, clientIDs: clients,
                    unopenedFor: unopenedFor.flatMap(DurationText.milliseconds) ?? 0, channel: channel, force: force)
                let bulk = try await resender.bulk(filter, reason: reason, actor: actor, now: now)
                let (plans, skipped) = (bulk.plans, bulk.skipped)
                var done: [(ResendPlan, [Delivery]?)] = []
                var refused = skipped
                for (index, plan) in plans.enumerated() {
                    if dryRun {
                        done.append((plan, nil))
                        continue
                    }
                    do { done.append((plan, try await resender.execute(plan))) } catch let error as HeraldError {
                        refused.append(.init(messageID: plan.messageID, reason: error.detail))
                    }
                    if !json && (index + 1) % 50 == 0 {
                        FileHandle.standardError.write(Data("resent \(index + 1)/\(plans.count)…\n".utf8))
                    }
                }
                if json {
                    print(JSONValue.object([
                        "dry_run": .bool(dryRun), "count": .int(Int64(done.count)),
                        "resends": .array(done.map { ResendJSON.plan($0.0, made: $0.1) }),
                        "skipped": .array(refused.map(ResendJSON.skip)),
                    ]).canonicalText)
                } else {
                    printPlans(done, skipped: refused)
                }
            }
        }
    }

    private func printPlans(_ plans: [(ResendPlan, [Delivery]?)], skipped: [Resender.Skip]) {
        var table = TextTable("MESSAGE", "RESENDS", "CHANNEL", "DESTINATION", "DUE", "NEW DELIVERY")
        for (plan, made) in plans {
            for (index, item) in plan.items.enumerated() {
                table.add(plan.messageID, item.source, item.channel, DestinationRules.redacted(item.destination),
                          Timestamps.format(item.dueAt, fractionalSeconds: false), made.map { $0[index].id } ?? "(dry run)")
            }
        }
        if !plans.isEmpty { print(table.render()) }
        let count = plans.reduce(0) { $0 + $1.0.items.count }
        print("\(dryRun ? "would resend" : "resent") \(plans.count) message\(plans.count == 1 ? "" : "s") (\(count) deliver\(count == 1 ? "y" : "ies"))")
        if !skipped.isEmpty {
            var skips = TextTable("SKIPPED", "WHY")
            for skip in skipped { skips.add(skip.messageID, skip.reason) }
            print(skips.render())
        }
    }
}
