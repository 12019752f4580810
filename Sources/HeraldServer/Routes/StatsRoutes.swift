import HeraldCore
import HeraldStore
import Hummingbird

/// `GET /v1/stats/templates?since=&until=&template=&tier=&locale=&channel=` (scope `read`):
/// sent, delivered, opened (people), machine opens, clicked and the rates, per template × tier ×
/// locale × channel, over the messages created in the period (default: the last 30 days); with
/// `format=csv` the same rows as a CSV download.
struct StatsRoutes: Sendable {
    let store: any Store
    let runtime: Runtime

    func register(on router: Router<HeraldRequestContext>) {
        router.get("/v1/stats/templates") { request, _ in
            let q = request.uri.queryParameters
            let now = Timestamps.now()
            var problems: [HeraldError.FieldProblem] = []
            for (key, _) in q where !["since", "until", "template", "tier", "locale", "channel", "format"].contains(String(key)) {
                problems.append(.init(name: String(key), reason: "unknown query parameter"))
            }
            var since = now - 30 * 86_400_000
            var until = now + 1
            if let text = q.get("since") {
                // An RFC 3339 time, or a duration back from now ("7d").
                if let millis = Timestamps.parse(text) { since = millis } else if let back = DurationText.milliseconds(text) {
                    since = now - back
                } else {
                    problems.append(.init(name: "since", reason: "must be an RFC 3339 timestamp or a duration such as 7d"))
                }
            }
            if let text = q.get("until") {
                if let millis = Timestamps.parse(text) { until = millis } else {
                    problems.append(.init(name: "until", reason: "must be an RFC 3339 timestamp"))
                }
            }
            if until <= since { problems.append(.init(name: "until", reason: "must be after since")) }
            let csv: Bool
            switch q.get("format") {
            case nil, "json": csv = false
            case "csv": csv = true
            default:
                csv = false
                problems.append(.init(name: "format", reason: "must be json or csv"))
            }
            if !problems.isEmpty { throw HeraldError.invalid(problems) }
            let rows = try await store.templateStats(since: since, until: until, defaultLocale: runtime.current.config.templates.defaultLocale).filter { row in
                (q.get("template").map { $0 == row.template } ?? true) && (q.get("tier").map { $0 == row.tier } ?? true)
                    && (q.get("locale").map { $0 == row.locale } ?? true) && (q.get("channel").map { $0 == row.channel } ?? true)
            }
            if csv { return CSVResponse.make(StatsCSV.document(rows), filename: StatsCSV.filename(since: since, until: until)) }
            return JSONResponse.make(.object([
                "since": RecordJSON.time(since), "until": RecordJSON.time(until), "items": .array(rows.map(StatsJSON.row)),
            ]))
        }
    }
}
