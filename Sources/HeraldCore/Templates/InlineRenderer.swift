import Mustache
import Synchronization

/// A robot message's one call to action: a button (DingTalk `actionCard`, Feishu card button) or
/// the article link (WeCom `news`).
public struct ContentLink: Sendable, Equatable {
    /// An http(s) URL.
    public var url: String
    /// The button's label.
    public var title: String

    public init(url: String, title: String) {
        self.url = url
        self.title = title
    }
}

/// Subject, text and HTML after Mustache rendering with the message's data.
public struct RenderedContent: Sendable, Equatable {
    public var subject: String?
    public var text: String?
    public var html: String?
    /// Whether open/click tracking may be applied (a template can turn it off).
    public var tracking: Bool
    /// For robot channels: `text` is markdown (template front matter `format: markdown`).
    public var markdown: Bool
    /// For robot channels: the template's `link:` and `button:`, which make the message a card.
    public var link: ContentLink?

    public init(
        subject: String?, text: String?, html: String?, tracking: Bool = true, markdown: Bool = false,
        link: ContentLink? = nil
    ) {
        self.markdown = markdown
        self.link = link
        self.subject = subject
        self.text = text
        self.html = html
        self.tracking = tracking
    }
}

/// Renders a message's inline `subject` / `text` / `html` as Mustache templates over its `data`.
/// HTML is escaped in `html` (use `{{{name}}}` for trusted markup); `subject` and `text` are plain
/// text and not escaped. A name the data does not have is an error naming the field, never an
/// empty hole; give optional values as `null` (renders as nothing, false in sections).
public enum InlineRenderer {
    /// - Throws: `invalid-input` naming `subject`/`text`/`html` for syntax errors and missing names.
    public static func render(
        subject: String?, text: String?, html: String?, data: JSONValue
    ) throws(HeraldError) -> RenderedContent {
        var problems: [HeraldError.FieldProblem] = []
        func one(_ source: String?, field: String, plainText: Bool) -> String? {
            guard let source else { return nil }
            // Fast path: nothing to render.
            guard source.mayContainMustacheTag else { return source }
            let template: MustacheTemplate
            do {
                template = try ParsedTemplates.shared.template(source, plainText: plainText)
            } catch {
                problems.append(.init(name: field, reason: "is not a valid Mustache template: \(error)"))
                return nil
            }
            let misses = MissRecorder()
            let rendered = template.render(TemplateData.convert(data, misses: misses))
            if !misses.missing.isEmpty {
                let names = misses.missing.map { "'\($0)'" }.joined(separator: ", ")
                problems.append(.init(name: field, reason: "uses \(names), which data does not have"))
                return nil
            }
            return rendered
        }
        let content = RenderedContent(
            subject: one(subject, field: "subject", plainText: true),
            text: one(text, field: "text", plainText: true),
            html: one(html, field: "html", plainText: false))
        if !problems.isEmpty { throw .invalid(problems) }
        if let subject = content.subject, DestinationRules.hasLineBreak(subject) {
            throw .invalid(field: "subject", "renders with a line break (check the data values it uses)")
        }
        return content
    }

    /// Whether the content renders cleanly over `data` (every name resolved, no line break in the
    /// subject), known without rendering: true only for sources ``SimpleTemplate`` recognises.
    /// False means "not known" — render to find out (and to get the error message).
    static func rendersCleanly(subject: String?, text: String?, html: String?, data: JSONValue) -> Bool {
        guard case .object(let fields) = data else { return false }
        if let subject, !SimpleTemplate.rendersCleanly(subject, fields: fields, singleLine: true) { return false }
        if let text, !SimpleTemplate.rendersCleanly(text, fields: fields, singleLine: false) { return false }
        if let html, !SimpleTemplate.rendersCleanly(html, fields: fields, singleLine: false) { return false }
        return true
    }

    /// Renders a stored message.
    public static func render(_ message: Message) throws(HeraldError) -> RenderedContent {
        let data = (try? JSONValue.parse(Array(message.data.utf8))) ?? .object([:])
        return try render(subject: message.subject, text: message.text, html: message.html, data: data)
    }
}

/// Inline templates parsed before: a service sends the same subject and text with different data
/// again and again, and parsing was a sixth of an enqueue's CPU (each is parsed to check it at
/// enqueue and again to render it at delivery). Bounded in entries and bytes; emptied when full.
final class ParsedTemplates: Sendable {
    static let shared = ParsedTemplates()
    static let maximumEntries = 512
    static let maximumBytes = 4 << 20
    /// Longer sources are parsed every time rather than crowd out the rest.
    static let maximumSourceBytes = 64 << 10

    private struct State {
        var templates: [String: MustacheTemplate] = [:]
        var bytes = 0
    }

    private let state = Mutex(State())

    /// The parsed template of `source` (plain text or HTML: they parse differently, so each is its
    /// own entry).
    func template(_ source: String, plainText: Bool) throws(MustacheSyntaxError) -> MustacheTemplate {
        let key = plainText ? MustacheSyntaxError.plainTextPragma + source : source
        if let cached = state.withLock({ $0.templates[key] }) { return cached }
        let template = try MustacheSyntaxError.compile(source, plainText: plainText)
        let size = key.utf8.count
        guard size <= Self.maximumSourceBytes else { return template }
        state.withLock { state in
            if state.templates.count >= Self.maximumEntries || state.bytes + size > Self.maximumBytes {
                state.templates.removeAll(keepingCapacity: true)
                state.bytes = 0
            }
            if state.templates.updateValue(template, forKey: key) == nil { state.bytes += size }
        }
        return template
    }
}
