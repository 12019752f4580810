import ArgumentParser
import Foundation
import HeraldCore
import HeraldServer
import HeraldStore

struct Suppressions: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The suppression list: addresses Herald does not send to (hard bounces, unsubscribes, wrong numbers, yours).",
        subcommands: [List.self, Add.self, Remove.self, Import.self], defaultSubcommand: List.self)

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List suppressed addresses, optionally one address, a domain, a source or a category.")
        @OptionGroup var options: GlobalOptions
        @Option(help: "Only this address (any case).") var address: String?
        @Option(help: "Only email addresses at this domain (acme.com).") var domain: String?
        @Option(help: "Only entries from: \(Suppression.Source.allCases.map(\.rawValue).joined(separator: ", ")).") var source: String?
        @Option(help: "Only entries for: \(Suppression.categoriesText).") var category: String?
        @Option(help: "At most this many.") var limit: Int = 100
        @Flag(help: "Print as JSON.") var json = false

        func run() async throws {
            try await CLIFailure.guarding {
                let parameters = [("address", address), ("domain", domain), ("source", source), ("category", category)]
                var query = try SuppressionJSON.query(parameters.compactMap { key, value in value.map { (key, $0) } })
                let wanted = max(0, limit)
                let entries = try await options.withStore { _, store in
                    var entries: [Suppression] = []
                    while entries.count < wanted {
                        query.limit = min(1_000, wanted - entries.count)
                        let page = try await store.suppressions(matching: query)
                        entries += page
                        guard page.count == query.limit, let last = page.last else { break }
                        query.after = (last.address, last.category)
                    }
                    return entries
                }
                if json {
                    print(JSONValue.array(entries.map(SuppressionJSON.entry)).canonicalText)
                    return
                }
                var table = TextTable("ADDRESS", "CATEGORY", "SOURCE", "SINCE", "REASON")
                for s in entries {
                    table.add(s.address, s.category, s.source, Timestamps.format(s.createdAt, fractionalSeconds: false), TextTable.clipped(s.reason))
                }
                print(entries.isEmpty ? "no suppressed addresses" : table.render())
            }
        }
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Stop sending to an address (an email address or E.164 number).",
            discussion: """
                Messages already waiting for it end suppressed when they are claimed, with your reason. \
                An address that already has an entry of this category keeps it (exit 0, it is printed). \
                The same as POST /v1/suppressions; the entry names cli:$USER.
                """)
        @OptionGroup var options: GlobalOptions
        @Argument(help: "The email address or E.164 number.") var address: String
        @Option(help: "all (every message) or marketing.") var category: String = "all"
        @Option(help: "Why: shown on every delivery it suppresses.") var reason: String
        @Flag(help: "Print the entry as JSON.") var json = false

        func run() async throws {
            try await CLIFailure.guarding {
                let entry = try Suppression.request(
                    .object(["address": .string(address), "category": .string(category), "reason": .string(reason)]),
                    actor: GlobalOptions.actor, now: Timestamps.now())
                let (stored, created) = try await options.withStore { _, store in
                    try await store.addSuppression(entry, actor: GlobalOptions.actor)
                }
                if json {
                    print(SuppressionJSON.entry(stored).canonicalText)
                } else if created {
                    print("suppressed \(stored.address) for \(stored.category) messages")
                } else {
                    print(DisplayText.line("\(stored.address) was already suppressed for \(stored.category) messages (\(stored.source): \(stored.reason))"))
                }
            }
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Send to an address again: remove its entries (of one category, or all).",
            discussion: """
                Deliveries already recorded suppressed stay so; resend them if they still matter. An unsubscribe or an \
                SMS opt-out is removed only with --force (do that only when the recipient asked to resubscribe). Exit 1 \
                when the address has no entry, or it is the recipient's own without --force. The same as DELETE /v1/suppressions/{address}.
                """)
        @OptionGroup var options: GlobalOptions
        @Argument(help: "The email address or E.164 number.") var address: String
        @Option(help: "Only the entry for: \(Suppression.categoriesText).") var category: String?
        @Flag(help: "Also remove an unsubscribe or an SMS opt-out.") var force = false
        @Option(help: "Why (how the recipient asked to resubscribe, say): kept in the audit log.") var reason: String?
        @Flag(help: "Print the answer as JSON (the same shape as the API's).") var json = false

        func run() async throws {
            try await CLIFailure.guarding {
                if let category { _ = try SuppressionJSON.query([("category", category)]) }
                let reason = try AuditEntry.reason(reason)
                let removed = try await options.withStore { _, store in
                    try await store.removeSuppression(
                        address: address, category: category, force: force, reason: reason, actor: GlobalOptions.actor,
                        now: Timestamps.now())
                }
                if json {
                    print(SuppressionJSON.removed(removed).canonicalText)
                    return
                }
                for s in removed { print(DisplayText.line("removed \(s.address) (\(s.category); \(s.source): \(s.reason))")) }
            }
        }
    }

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Suppress every address of a file (a list from another provider, a legal request).",
            discussion: """
                One address per line, or CSV rows address[,category[,reason]] (a header row address,… and lines \
                starting with # are skipped); a row's category and reason default to --category and --reason. The \
                whole file is checked first; if any row is invalid nothing is written and every problem is listed \
                as file:line: column: reason (exit 65). Addresses already suppressed keep their entry, so importing \
                the same file twice changes nothing. Works with the daemon running.
                """)
        @OptionGroup var options: GlobalOptions
        @Argument(help: "The file.") var file: String
        @Option(help: "all (every message) or marketing, for rows without one.") var category: String = "all"
        @Option(help: "Why, for rows without one: shown on every delivery it suppresses.") var reason: String?
        @Flag(help: "Only check the file.") var dryRun = false
        @Flag(help: "Print a JSON summary.") var json = false

        func run() async throws {
            try await CLIFailure.guarding {
                guard let defaultCategory = Suppression.Category(rawValue: category) else {
                    throw HeraldError.invalid(field: "category", "must be all or marketing")
                }
                guard let data = FileManager.default.contents(atPath: file) else { throw CLIFailure("cannot read \(file)", code: 66) }
                let entries = try SuppressionImport.parse(
                    String(decoding: data, as: UTF8.self), file: (file as NSString).lastPathComponent, category: defaultCategory,
                    reason: reason, actor: GlobalOptions.actor, now: Timestamps.now())
                var created = 0
                if !dryRun {
                    created = try await options.withStore { _, store in
                        var created = 0
                        var done = 0
                        for chunk in stride(from: 0, to: entries.count, by: 500).map({ entries[$0..<min($0 + 500, entries.count)] }) {
                            created += try await store.suppress(Array(chunk)).filter(\.created).count
                            done += chunk.count
                            if !json && entries.count > 500 { Progress.show("imported \(done)/\(entries.count)") }
                        }
                        if !json && entries.count > 500 { Progress.done() }
                        if created > 0 {
                            await store.audit(.make(
                                .suppressionAdded, subject: "-",
                                detail: "imported \(created) of \(entries.count) addresses from \((file as NSString).lastPathComponent)",
                                actor: GlobalOptions.actor, at: Timestamps.now()))
                        }
                        return created
                    }
                }
                if json {
                    print(JSONValue.object([
                        "addresses": .int(Int64(entries.count)), "created": .int(Int64(created)),
                        "already_suppressed": .int(Int64(dryRun ? 0 : entries.count - created)), "dry_run": .bool(dryRun),
                    ]).canonicalText)
                } else if dryRun {
                    print("\(file): \(entries.count) addresses are valid (nothing written)")
                } else {
                    print("imported \(entries.count) addresses from \(file): \(created) suppressed, \(entries.count - created) already were")
                }
            }
        }
    }
}
