import Foundation
import Mustache

/// Produces the content of a message for one channel kind: from its template file when it names a
/// template that exists for that channel, otherwise from its inline subject/text/html. Used at
/// enqueue (to refuse what cannot render) and at delivery.
public struct MessageRenderer: Sendable {
    public let library: TemplateLibrary

    public init(library: TemplateLibrary = TemplateLibrary()) {
        self.library = library
    }

    /// Renders for `channel` (a channel kind's raw value: `email`, `webhook`, …).
    /// - Throws: `invalid-input` naming `template` (missing for this channel/locale) or the content
    ///   field whose variables the data lacks.
    public func render(
        template: String?, subject: String?, text: String?, html: String?, data: JSONValue, locale: String?,
        channel: ChannelKind
    ) throws(HeraldError) -> RenderedContent {
        if let template, let file = library.file(name: template, channel: channel.rawValue, locale: locale) {
            return try render(file, data: data)
        }
        if let template, subject == nil && text == nil && html == nil, channel != .webhook {
            let have = library.locales(name: template, channel: channel.rawValue)
            let reason = library.has(name: template)
                ? (have.isEmpty ? "has no \(channel.rawValue) version" : "has no \(channel.rawValue) version for locale '\(locale ?? library.defaultLocale)' (has: \(have.joined(separator: ", ")))")
                : "does not exist (known: \(library.names.joined(separator: ", ")))"
            throw .invalid(field: "template", "'\(template)' \(reason)")
        }
        // Inline content (or a webhook, whose receiver gets the template name and data as they are).
        let content = try InlineRenderer.render(subject: subject, text: text, html: html, data: data)
        if channel.isBot && (content.text ?? content.subject ?? "").isEmpty {
            throw .invalid(field: "text", "robot channels (\(channel.rawValue)) send text: give text, or a template with a \(channel.rawValue) version")
        }
        return content
    }

    /// Checks that the content renders for `channel`, as ``render(template:subject:text:html:data:locale:channel:)``
    /// would, without rendering when that is known to succeed (inline content of simple variables
    /// for a channel that is not a robot's: what most enqueues carry).
    public func check(
        template: String?, subject: String?, text: String?, html: String?, data: JSONValue, locale: String?,
        channel: ChannelKind
    ) throws(HeraldError) {
        if template == nil, !channel.isBot,
            InlineRenderer.rendersCleanly(subject: subject, text: text, html: html, data: data)
        {
            return
        }
        _ = try render(template: template, subject: subject, text: text, html: html, data: data, locale: locale, channel: channel)
    }

    /// Renders a stored message.
    public func render(_ message: Message, channel: ChannelKind) throws(HeraldError) -> RenderedContent {
        // Most inline messages use no variables: skip parsing the data when nothing would read it.
        let needsData = message.template != nil
            || [message.subject, message.text, message.html].contains { $0?.mayContainMustacheTag == true }
        if !needsData {
            return RenderedContent(subject: message.subject, text: message.text, html: message.html)
        }
        let data = (try? JSONValue.parse(Array(message.data.utf8))) ?? .object([:])
        return try render(
            template: message.template, subject: message.subject, text: message.text, html: message.html, data: data,
            locale: message.locale, channel: channel)
    }

    private func render(_ file: TemplateFile, data: JSONValue) throws(HeraldError) -> RenderedContent {
        let misses = MissRecorder()
        let context = TemplateData.convert(data, misses: misses)
        let body = file.body.render(context)
        let subject = file.subject?.render(context)
        let text: String? = file.channel == "email" ? (file.textBody?.render(context) ?? HTMLText.plainText(body)) : body
        let url = file.link?.render(context).trimmingCharacters(in: .whitespaces)
        let button = file.button?.render(context).trimmingCharacters(in: .whitespaces)
        if !misses.missing.isEmpty {
            let names = misses.missing.map { "'\($0)'" }.joined(separator: ", ")
            throw .invalid(field: "data", "template \(file.name)/\(file.channel).\(file.locale) uses \(names), which data does not have")
        }
        if let subject, DestinationRules.hasLineBreak(subject) {
            throw .invalid(field: "data", "the subject of \(file.name) renders with a line break")
        }
        var link: ContentLink? = nil
        if let url {
            // The link comes from data: it must be a plain http(s) URL, never something that breaks out of the JSON field's meaning.
            if let problem = DestinationRules.urlProblem(url) {
                throw .invalid(field: "data", "the link of \(file.name)/\(file.channel).\(file.locale) renders to '\(url)', which \(problem)")
            }
            if let button, DestinationRules.hasLineBreak(button) {
                throw .invalid(field: "data", "the button of \(file.name) renders with a line break")
            }
            link = ContentLink(url: url, title: button.flatMap { $0.isEmpty ? nil : $0 } ?? (file.locale.hasPrefix("zh") ? "查看详情" : "Open"))
        }
        return RenderedContent(
            subject: subject, text: text, html: file.channel == "email" ? body : nil, tracking: file.tracking,
            markdown: file.markdown, link: link)
    }
}
