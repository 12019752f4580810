import Foundation

/// A plain-text version of an email's HTML, for templates without their own text part:
/// block ends become line breaks, links keep their target (`text (https://…)`), tags go,
/// common entities are decoded and runs of blank space collapse.
public enum HTMLText {
    /// Text made safe for HTML (and XML/SVG) content and quoted attribute values.
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }

    public static func plainText(_ html: String) -> String {
        var out = ""
        var index = html.startIndex
        var pendingHref: String? = nil
        var skipping = false  // inside <style> or <script>
        while index < html.endIndex {
            let c = html[index]
            if c == "<", let close = html[index...].firstIndex(of: ">") {
                let tag = html[html.index(after: index)..<close]
                let lower = tag.lowercased()
                let nameEnd = lower.firstIndex(where: { $0 == " " || $0 == "/" && $0 != lower.first || $0 == "\n" }) ?? lower.endIndex
                let name = String(lower[..<nameEnd])
                switch name {
                case "style", "script": skipping = true
                case "/style", "/script": skipping = false
                case "br", "br/": out += "\n"
                case "/p", "/div", "/h1", "/h2", "/h3", "/h4", "/h5", "/h6", "/tr", "/table", "/ul", "/ol":
                    out += "\n\n"
                case "li": out += "\n- "
                case "a": pendingHref = attribute("href", in: String(tag))
                case "/a":
                    if let href = pendingHref, href.hasPrefix("http") { out += " (\(href))" }
                    pendingHref = nil
                default: break
                }
                index = html.index(after: close)
                continue
            }
            // Source line breaks are white space in HTML; only tags make lines.
            if !skipping { out.append(c == "\n" || c == "\r" || c == "\t" ? " " : c) }
            index = html.index(after: index)
        }
        let decoded = decodeEntities(out)
        // Collapse spaces within lines and keep at most one blank line between paragraphs.
        var lines: [String] = []
        for raw in decoded.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = raw.split(whereSeparator: { $0 == " " || $0 == "\u{A0}" }).joined(separator: " ")
            if line.isEmpty && (lines.last?.isEmpty ?? true) { continue }
            lines.append(line)
        }
        while lines.last?.isEmpty == true { lines.removeLast() }
        return lines.joined(separator: "\n")
    }

    static func attribute(_ name: String, in tag: String) -> String? {
        guard let range = tag.range(of: name + "=\"") ?? tag.range(of: name + "='") else { return nil }
        let quote = tag[tag.index(before: range.upperBound)]
        guard let end = tag[range.upperBound...].firstIndex(of: quote) else { return nil }
        return decodeEntities(String(tag[range.upperBound..<end]))
    }

    public static func decodeEntities(_ text: String) -> String {
        guard text.contains("&") else { return text }
        return text.replacingOccurrences(of: "&nbsp;", with: " ").replacingOccurrences(of: "&lt;", with: "<")
            .replacingOccurrences(of: "&gt;", with: ">").replacingOccurrences(of: "&quot;", with: "\"")
            .replacingOccurrences(of: "&#39;", with: "'").replacingOccurrences(of: "&#x27;", with: "'")
            .replacingOccurrences(of: "&amp;", with: "&")
    }
}
