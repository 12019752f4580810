import Foundation

import HeraldCore

/// Adds open and click tracking to an email's HTML: every `http(s)` link in an `href` goes through
/// a signed redirect, and a 1×1 pixel goes before `</body>`. Unsubscribe and `mailto:` links are
/// left alone (an unsubscribe link must never be rewritten).
public enum TrackingRewriter {
    public static func rewrite(_ html: String, delivery: String, links: LinkBuilder) -> String {
        var out = rewriteLinks(html) { target in
            guard target.hasPrefix("https://") || target.hasPrefix("http://") else { return nil }
            guard !target.hasPrefix(links.publicURL + "/u/") else { return nil }
            return links.clickURL(delivery: delivery, target: target)
        }
        let pixel = "<img src=\"\(links.openURL(delivery: delivery))\" width=\"1\" height=\"1\" alt=\"\" style=\"display:block;border:0;width:1px;height:1px\">"
        if let close = out.range(of: "</body>", options: .caseInsensitive) {
            out.insert(contentsOf: pixel, at: close.lowerBound)
        } else {
            out += pixel
        }
        return out
    }

    /// Replaces each `href="…"`/`href='…'` value for which `transform` returns a new URL.
    /// Values are compared entity-decoded (`&amp;` → `&`) and written back entity-encoded.
    static func rewriteLinks(_ html: String, _ transform: (String) -> String?) -> String {
        var out = ""
        var rest = html[...]
        while let found = rest.range(of: "href=", options: .caseInsensitive) {
            out += rest[..<found.upperBound]
            rest = rest[found.upperBound...]
            guard let quote = rest.first, quote == "\"" || quote == "'",
                let end = rest.dropFirst().firstIndex(of: quote)
            else { continue }
            let raw = String(rest[rest.index(after: rest.startIndex)..<end])
            let decoded = HTMLText.decodeEntities(raw)
            if let replacement = transform(decoded) {
                out += String(quote) + replacement.replacingOccurrences(of: "&", with: "&amp;") + String(quote)
            } else {
                out += String(quote) + raw + String(quote)
            }
            rest = rest[rest.index(after: end)...]
        }
        return out + rest
    }
}
