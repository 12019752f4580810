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
}
