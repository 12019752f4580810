import HeraldCore
import HeraldStore
import Hummingbird

/// `/dashboard/stats?since=7d|30d|90d`: the template stats of the API as a table and a chart.
struct StatsPage: Sendable {
    let store: any Store
    let runtime: Runtime
    let views: DashboardViews
    static let periods = [("7d", "days_7"), ("30d", "days_30"), ("90d", "days_90")]

    /// The period a page asks for (`since`: one of ``periods``, else 30 days), its bounds and its
    /// rows in template, tier, locale and channel order.
    private func stats(_ request: Request) async throws -> (since: String, start: Int64, end: Int64, rows: [TemplateStats]) {
        let since = request.uri.queryParameters.get("since").flatMap { s in Self.periods.contains { $0.0 == s } ? s : nil } ?? "30d"
        let now = Timestamps.now()
        let start = now - (DurationText.milliseconds(since) ?? 0)
        let rows = try await store.templateStats(
            since: start, until: now + 1, defaultLocale: runtime.current.renderer.library.defaultLocale)
            .sorted { ($0.template, $0.tier, $0.locale, $0.channel) < ($1.template, $1.tier, $1.locale, $1.channel) }
        return (since, start, now + 1, rows)
    }

    func register(on group: RouterGroup<HeraldRequestContext>) {
        group.get("stats") { request, context in
            let visit = try DashboardRoutes.visit(context)
            let (since, _, _, stats) = try await self.stats(request)
            let snapshot = runtime.current
            let rows: [[String: Any]] = stats.map { row in
                [
                    "template": row.template, "tier": row.tier.isEmpty ? "-" : row.tier, "locale": row.locale, "channel": row.channel,
                    "sent": String(row.sent), "opened": String(row.opened), "clicked": String(row.clicked),
                    "open_rate": StatsChart.percent(row.openRate), "click_rate": StatsChart.percent(row.clickRate),
                ]
            }
            let emailRows = stats.filter { snapshot.routing.channels[$0.channel] == .email }
            let chart = StatsChart.svg(
                emailRows, title: visit.text("chart_title"), openLabel: visit.text("open_rate"), clickLabel: visit.text("click_rate"))
            var values: [String: Any] = [
                "rows": rows, "has_rows": !rows.isEmpty, "has_chart": chart != nil,
                "periods": Self.periods.map { ["value": $0.0, "label": visit.text($0.1), "selected": $0.0 == since] },
            ]
            if let chart { values["chart"] = chart }
            values["csv_url"] = "/dashboard/stats.csv?since=\(since)"
            return views.page("stats", title: visit.text("template_stats"), visit: visit, nav: "stats", values: values)
        }
        // The same rows for a spreadsheet (with a byte order mark, so that Excel reads the UTF-8).
        group.get("stats.csv") { request, context in
            _ = try DashboardRoutes.visit(context)
            let (_, start, end, stats) = try await self.stats(request)
            return CSVResponse.make(StatsCSV.document(stats, byteOrderMark: true), filename: StatsCSV.filename(since: start, until: end))
        }
    }
}
