import HeraldCore

/// The stats page's chart as inline SVG, drawn on the server: one row per template × tier ×
/// locale (email only: robots cannot report opens), a bar for the open rate and one for the click
/// rate, with the figures written beside them. Every text is escaped.
enum StatsChart {
    static func svg(_ rows: [TemplateStats], title: String, openLabel: String, clickLabel: String) -> String? {
        let rows = rows.filter { $0.sent > 0 }.prefix(30)
        guard !rows.isEmpty else { return nil }
        let width = 720.0, labelWidth = 250.0, barArea = width - labelWidth - 70, rowHeight = 40.0, top = 34.0
        let height = top + rowHeight * Double(rows.count) + 8
        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 \(Int(width)) \(Int(height))" role="img" aria-labelledby="chart-title" id="stats-chart">
            <title id="chart-title">\(HTMLText.escape(title))</title>
            <rect x="\(Int(labelWidth))" y="6" width="12" height="12" fill="#0b57d0"/><text x="\(Int(labelWidth) + 18)" y="17" font-size="13">\(HTMLText.escape(openLabel))</text>
            <rect x="\(Int(labelWidth) + 140)" y="6" width="12" height="12" fill="#188038"/><text x="\(Int(labelWidth) + 158)" y="17" font-size="13">\(HTMLText.escape(clickLabel))</text>

            """
        for (index, row) in rows.enumerated() {
            let y = top + Double(index) * rowHeight
            let label = "\(row.template) · \(row.tier.isEmpty ? "-" : row.tier) · \(row.locale)"
            let open = row.openRate ?? 0, click = row.clickRate ?? 0
            svg += """
                <g><text x="0" y="\(format(y + 20))" font-size="13">\(HTMLText.escape(label))</text>
                <rect x="\(Int(labelWidth))" y="\(format(y + 4))" width="\(format(max(open * barArea, 1)))" height="14" fill="#0b57d0"/>
                <text x="\(format(labelWidth + max(open * barArea, 1) + 6))" y="\(format(y + 15))" font-size="12">\(percent(open))</text>
                <rect x="\(Int(labelWidth))" y="\(format(y + 20))" width="\(format(max(click * barArea, 1)))" height="14" fill="#188038"/>
                <text x="\(format(labelWidth + max(click * barArea, 1) + 6))" y="\(format(y + 31))" font-size="12">\(percent(click))</text></g>

                """
        }
        return svg + "</svg>"
    }

    /// `42.9 %`
    static func percent(_ rate: Double?) -> String {
        guard let rate else { return "-" }
        return format(rate * 100) + " %"
    }

    private static func format(_ value: Double) -> String {
        let tenths = (value * 10).rounded()
        return tenths.truncatingRemainder(dividingBy: 10) == 0 ? String(Int(tenths / 10)) : String(Double(tenths) / 10)
    }
}
