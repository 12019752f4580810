import ArgumentParser
import Foundation
import HeraldCore
import HeraldServer
import HeraldStore

struct Stats: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Open and click rates per template, tier, locale and channel (reads the database).",
        discussion: "Opened counts people (a click counts as an open); machine opens (mail privacy proxies, link scanners) are apart.")

    @OptionGroup var options: GlobalOptions
    @Option(help: "Messages created since: a duration back from now (30d) or an RFC 3339 time.") var since = "30d"
    @Option(help: "Only this template.") var template: String?
    @Option(help: "Only this tier.") var tier: String?
    @Flag(help: "Print as JSON (the items of GET /v1/stats/templates).") var json = false
    @Flag(help: "Print as CSV with every count and rate (GET /v1/stats/templates?format=csv).") var csv = false

    func validate() throws {
        if json && csv { throw ValidationError("--json and --csv: choose one") }
        if Timestamps.parse(since) == nil && DurationText.milliseconds(since) == nil {
            throw ValidationError("--since must be a duration such as 30d or an RFC 3339 time")
        }
    }

    func run() async throws {
        try await CLIFailure.guarding {
            let now = Timestamps.now()
            let start = Timestamps.parse(since) ?? now - (DurationText.milliseconds(since) ?? 0)
            let rows = try await options.withStore { config, store in
                try await store.templateStats(since: start, until: now + 1, defaultLocale: config.templates.defaultLocale)
            }.filter { (template.map($0.template.elementsEqual) ?? true) && (tier.map($0.tier.elementsEqual) ?? true) }
            if json {
                print(JSONValue.array(rows.map(StatsJSON.row)).canonicalText)
                return
            }
            if csv {
                print(StatsCSV.document(rows), terminator: "")
                return
            }
            func percent(_ rate: Double?) -> String { rate.map { String(format: "%.1f%%", $0 * 100) } ?? "-" }
            var table = TextTable("TEMPLATE", "TIER", "LOCALE", "CHANNEL", "SENT", "OPENED", "OPEN RATE", "CLICKED", "CLICK RATE", "MACHINE OPENS")
            for r in rows {
                table.add(r.template, r.tier.isEmpty ? "-" : r.tier, r.locale, r.channel, String(r.sent), String(r.opened),
                          percent(r.openRate), String(r.clicked), percent(r.clickRate), String(r.machineOpened))
            }
            print(rows.isEmpty ? "no messages from templates since \(Timestamps.format(start, fractionalSeconds: false))" : table.render())
        }
    }
}
