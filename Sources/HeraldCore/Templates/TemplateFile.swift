import Foundation
import Mustache

/// One parsed template file: `templates/<name>/<channel>.<locale>.mustache`, optionally with a
/// front matter between `---` lines holding `subject:` (email), `title:` (bots), `format: markdown`
/// (bots; the default is plain text), `link:` and `button:` (bots: a card with one call to action)
/// and `tracking: false`.
public struct TemplateFile: Sendable {
    public let name: String
    public let channel: String
    public let locale: String
    /// The body: HTML for email, text or markdown for the others.
    let body: MustacheTemplate
    /// A separate plain-text body (`email.<locale>.text.mustache`), if one exists.
    var textBody: MustacheTemplate?
    let subject: MustacheTemplate?
    /// Whether open/click tracking may be applied to messages from this template.
    public let tracking: Bool
    /// Robot templates: the body is markdown rather than plain text.
    public let markdown: Bool
    /// Robot templates: the card's link and button label (both Mustache, plain text).
    let link: MustacheTemplate?
    let button: MustacheTemplate?
    /// Where it came from, for error messages.
    public let path: String

    /// Parses a file's text. Errors name the file and, for the front matter, the line.
    static func parse(_ text: String, name: String, channel: String, locale: String, path: String) throws(HeraldError)
        -> TemplateFile
    {
        var body = Substring(text)
        var bodyLine = 1
        var fields: [String: String] = [:]
        if body.hasPrefix("---\n") || body.hasPrefix("---\r\n") {
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            guard let end = lines.dropFirst().firstIndex(where: { $0.trimmingCharacters(in: .whitespaces) == "---" }) else {
                throw .configuration("\(path):1: front matter opened with --- is never closed")
            }
            for (offset, raw) in lines[1..<end].enumerated() {
                let line = raw.trimmingCharacters(in: .whitespaces)
                if line.isEmpty || line.hasPrefix("#") { continue }
                guard let colon = line.firstIndex(of: ":") else {
                    throw .configuration("\(path):\(offset + 2): front matter lines are 'key: value'")
                }
                let key = String(line[..<colon]).trimmingCharacters(in: .whitespaces)
                guard ["subject", "title", "tracking", "format", "link", "button"].contains(key) else {
                    throw .configuration(
                        "\(path):\(offset + 2): unknown front matter key '\(key)' (subject, title, format, tracking, link, button)")
                }
                fields[key] = String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces)
            }
            body = lines[(end + 1)...].joined(separator: "\n")[...]
            bodyLine = end + 2
        }
        func compile(_ source: String, plain: Bool, part: String) throws(HeraldError) -> MustacheTemplate {
            do {
                return try MustacheSyntaxError.compile(source, plainText: plain, firstLine: bodyLine)
            } catch {
                // The body's position is the file's (path:line:column, as compilers say it); a front
                // matter value's is within the value.
                if part == "the body" {
                    throw .configuration(
                        "\(path):\(error.line):\(error.column): the body is not a valid Mustache template: \(error.reason)")
                }
                throw .configuration(
                    "\(path): \(part) is not a valid Mustache template: column \(error.column): \(error.reason)")
            }
        }
        let isHTML = channel == "email"
        let subjectSource = fields["subject"] ?? fields["title"]
        if channel == "email" && (subjectSource ?? "").isEmpty {
            throw .configuration("\(path): email templates need a 'subject:' in their front matter")
        }
        let tracking: Bool
        switch fields["tracking"] {
        case nil, "true": tracking = true
        case "false": tracking = false
        default: throw .configuration("\(path): tracking must be true or false")
        }
        let markdown: Bool
        switch fields["format"] {
        case nil, "text": markdown = false
        case "markdown" where !isHTML: markdown = true
        default: throw .configuration("\(path): format must be text or markdown (robot templates only)")
        }
        let isRobot = ChannelKind(rawValue: channel)?.isBot == true
        if !isRobot && (fields["link"] != nil || fields["button"] != nil) {
            throw .configuration("\(path): link and button are for robot templates (wecom, dingtalk, feishu)")
        }
        if fields["button"] != nil && fields["link"] == nil {
            throw .configuration("\(path): button needs a link")
        }
        return TemplateFile(
            name: name, channel: channel, locale: locale, body: try compile(String(body), plain: !isHTML, part: "the body"),
            textBody: nil, subject: try subjectSource.map { s throws(HeraldError) in try compile(s, plain: true, part: "the subject") },
            tracking: tracking, markdown: markdown,
            link: try fields["link"].map { s throws(HeraldError) in try compile(s, plain: true, part: "the link") },
            button: try fields["button"].map { s throws(HeraldError) in try compile(s, plain: true, part: "the button") },
            path: path)
    }

    static func compileText(_ text: String, path: String) throws(HeraldError) -> MustacheTemplate {
        do {
            return try MustacheSyntaxError.compile(text, plainText: true)
        } catch {
            throw .configuration("\(path):\(error.line):\(error.column): not a valid Mustache template: \(error.reason)")
        }
    }
}
