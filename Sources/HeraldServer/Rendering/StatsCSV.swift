import HeraldCore

/// Template statistics as CSV, the columns and rates of ``StatsJSON`` (`GET
/// /v1/stats/templates?format=csv`, the dashboard's download, `herald stats --csv`).
public enum StatsCSV {
    public static let header = [
        "template", "tier", "locale", "channel", "deliveries", "sent", "delivered", "opened", "machine_opened", "clicked",
        "bounced", "failed", "open_rate", "click_rate", "click_to_open_rate",
    ]

    public static func row(_ s: TemplateStats) -> [CSV.Field] {
        [
            .text(s.template), .text(s.tier), .text(s.locale), .text(s.channel), .int(s.deliveries), .int(s.sent), .int(s.delivered),
            .int(s.opened), .int(s.machineOpened), .int(s.clicked), .int(s.bounced), .int(s.failed), .rate(s.openRate),
            .rate(s.clickRate), .rate(s.clickToOpenRate),
        ]
    }

    public static func document(_ rows: [TemplateStats], byteOrderMark: Bool = false) -> String {
        CSV.document(header: header, rows: rows.map(row), byteOrderMark: byteOrderMark)
    }

    /// `herald-template-stats-20261107-20261207.csv`: the period's first and last day (UTC).
    public static func filename(since: Int64, until: Int64) -> String {
        func day(_ millis: Int64) -> String {
            String(Timestamps.format(millis, fractionalSeconds: false).prefix(10).filter(\.isNumber))
        }
        return "herald-template-stats-\(day(since))-\(day(until - 1)).csv"
    }
}
