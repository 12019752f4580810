import Foundation

/// Fits rendered content to a robot: keyword mode and the platform's size limit.
enum BotText {
    /// The marker that ends content cut to the platform's limit.
    static let truncationMarker = "\n…(truncated)"

    /// Prepends the first keyword on its own line when the robot requires keywords and the
    /// content (or title) holds none of them, so the platform does not refuse the message.
    static func withKeyword(_ content: String, title: String?, keywords: [String]) -> String {
        guard let first = keywords.first else { return content }
        let haystack = (title ?? "") + "\n" + content
        if keywords.contains(where: { haystack.contains($0) }) { return content }
        return first + "\n" + content
    }

    /// `content` when it fits in `limit` UTF-8 bytes; otherwise its longest prefix that fits with
    /// the marker appended, cut at a line break when one is in the last quarter, never inside a character.
    static func fitted(_ content: String, limit: Int) -> String {
        guard content.utf8.count > limit else { return content }
        let budget = max(0, limit - truncationMarker.utf8.count)
        var used = 0
        var end = content.startIndex
        var lastBreak: String.Index? = nil
        for index in content.indices {
            let size = content[index].utf8.count
            if used + size > budget { break }
            used += size
            end = content.index(after: index)
            if content[index] == "\n" { lastBreak = index }
        }
        if let lastBreak, content.utf8.distance(from: content.startIndex, to: lastBreak) >= budget * 3 / 4 {
            end = lastBreak
        }
        return String(content[..<end]) + truncationMarker
    }

    /// `text` cut to at most `bytes` UTF-8 bytes at a character boundary, with `…` when cut.
    static func cut(_ text: String, bytes: Int) -> String {
        guard text.utf8.count > bytes else { return text }
        var used = 0
        var out = ""
        for character in text {
            let size = character.utf8.count
            if used + size > bytes - 3 { break }
            used += size
            out.append(character)
        }
        return out + "…"
    }

    /// Markdown as plain text for places that show no markup (WeCom article descriptions):
    /// heading marks, emphasis and list bullets go, `[label](url)` keeps its label.
    static func plainText(fromMarkdown markdown: String) -> String {
        var lines: [String] = []
        for raw in markdown.split(separator: "\n", omittingEmptySubsequences: false) {
            var line = raw.trimmingCharacters(in: .whitespaces)
            while line.hasPrefix("#") { line.removeFirst() }
            line = line.trimmingCharacters(in: .whitespaces)
            line = line.replacingOccurrences(of: "**", with: "").replacingOccurrences(of: "__", with: "")
            var out = ""
            var rest = Substring(line)
            while let open = rest.firstIndex(of: "["), let close = rest[open...].firstIndex(of: "]"),
                rest.index(after: close) < rest.endIndex, rest[rest.index(after: close)] == "(",
                let end = rest[close...].firstIndex(of: ")")
            {
                out += rest[..<open] + rest[rest.index(after: open)..<close]
                rest = rest[rest.index(after: end)...]
            }
            out += rest
            if !out.isEmpty || lines.last?.isEmpty == false { lines.append(out) }
        }
        return lines.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
