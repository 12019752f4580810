import Foundation

/// Text from outside (a remote server's reply, a bounce report, a webhook's error page) made safe
/// to show in a terminal, a log line or a table cell: control characters never reach the screen,
/// so a reply cannot move the cursor, retitle the window or forge a line of output (ANSI escape
/// injection). Letters of every script, emoji and combining marks pass unchanged.
public enum DisplayText {
    /// One line: CR, LF, tab and the Unicode line and paragraph separators become spaces, other
    /// control characters (C0, DEL, C1) become U+FFFD, so what was there stays visible.
    public static func line(_ text: String) -> String {
        clean(text, keepLineBreaks: false)
    }

    /// Several lines (talking points, a note): LF kept, CR dropped, the rest as ``line(_:)``.
    public static func block(_ text: String) -> String {
        clean(text, keepLineBreaks: true)
    }

    /// `text` cut to `limit` characters (an ellipsis marks the cut), as one line.
    public static func line(_ text: String, limit: Int) -> String {
        let safe = line(text)
        return safe.count > limit ? String(safe.prefix(max(limit - 1, 0))) + "…" : safe
    }

    /// Whether `text` is one line with nothing to clean: no control character (C0 — tab, CR, LF
    /// included —, DEL, C1) and no line or paragraph separator. What input checks use to refuse a
    /// value that would break a line of a log, a table or a CSV cell.
    public static func isOneLine(_ text: String) -> Bool {
        // One pass over the UTF-8 without allocating. (Bytes 0x80–0x9F of UTF-8 are continuation
        // bytes; a C1 control is C2 80–C2 9F, the line and paragraph separators E2 80 A8 and
        // E2 80 A9 — the rest of E2 80 xx, dashes, quotes and the ellipsis, is fine.)
        var previous: UInt8 = 0
        var beforePrevious: UInt8 = 0
        for byte in text.utf8 {
            if byte < 0x20 || byte == 0x7F || (previous == 0xC2 && byte < 0xA0)
                || (beforePrevious == 0xE2 && previous == 0x80 && (byte == 0xA8 || byte == 0xA9))
            {
                return false
            }
            beforePrevious = previous
            previous = byte
        }
        return true
    }

    /// One line typed by a person (a reason, a search): trimmed of spaces, nil when empty.
    /// - Throws: ``HeraldError/invalid(field:_:)`` naming `field` for text longer than `maxLength`
    ///   characters or not ``isOneLine(_:)``.
    public static func input(_ text: String?, field: String, maxLength: Int) throws -> String? {
        guard let trimmed = text?.trimmingCharacters(in: .whitespaces), !trimmed.isEmpty else { return nil }
        guard trimmed.count <= maxLength else { throw HeraldError.invalid(field: field, "at most \(maxLength) characters") }
        guard isOneLine(trimmed) else { throw HeraldError.invalid(field: field, "must be one line without control characters") }
        return trimmed
    }

    private static func clean(_ text: String, keepLineBreaks: Bool) -> String {
        // Most text has nothing to clean.
        guard !isOneLine(text) else { return text }
        var scalars = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x0A where keepLineBreaks: scalars.append(scalar)
            case 0x0D where keepLineBreaks: continue
            case 0x09, 0x0A, 0x0D, 0x2028, 0x2029: scalars.append(" ")
            case 0x00..<0x20, 0x7F...0x9F: scalars.append("\u{FFFD}")
            default: scalars.append(scalar)
            }
        }
        return String(scalars)
    }
}
