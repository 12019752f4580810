import Foundation

/// Comma-separated values (RFC 4180) for what operators and CSMs open in a spreadsheet: template
/// stats, the audit log. Fields holding a comma, a quote or a line break are quoted (quotes
/// doubled); lines end in CRLF. A text field that a spreadsheet would run as a formula (starting
/// with `=`, `+`, `-`, `@`, a tab or a carriage return) is written with a leading `'`, so a tier
/// name or a reason can never become `=HYPERLINK(…)` in someone's Excel (numbers are written as
/// they are).
public enum CSV {
    /// One field of a row.
    public enum Field: Sendable, Equatable, ExpressibleByStringLiteral {
        case text(String)
        case number(String)

        public init(stringLiteral value: String) { self = .text(value) }

        public static func int(_ n: Int) -> Field { .number(String(n)) }
        /// A ratio to four places, empty when there is none; rounded as the JSON rounds it
        /// (`StatsJSON.rate`), so that both say the same.
        public static func rate(_ value: Double?) -> Field {
            .number(value.map { String(format: "%.4f", ($0 * 10_000).rounded() / 10_000) } ?? "")
        }
    }

    /// Marks the text as UTF-8 for spreadsheet programs that otherwise guess a legacy encoding
    /// (Excel on Windows reads `星河科技` as mojibake without it). For downloads meant for people.
    public static let byteOrderMark = "\u{FEFF}"

    /// A whole document: the header row, then the rows.
    public static func document(header: [String], rows: [[Field]], byteOrderMark: Bool = false) -> String {
        var out = byteOrderMark ? Self.byteOrderMark : ""
        out += line(header.map(Field.text))
        for row in rows { out += line(row) }
        return out
    }

    /// One row, ending in CRLF.
    public static func line(_ fields: [Field]) -> String {
        fields.map(encode).joined(separator: ",") + "\r\n"
    }

    static func encode(_ field: Field) -> String {
        var text: String
        switch field {
        case .number(let n): text = n
        case .text(let t):
            text = t
            if let first = t.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first) { text = "'" + t }
        }
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
