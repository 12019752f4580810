import Mustache

/// A Mustache syntax error described for the person who wrote the template: where it is (line and
/// column in *their* text) and what is wrong, instead of swift-mustache's debug dump, which
/// names internal types and counts the `{{% CONTENT_TYPE: TEXT}}` pragma Herald puts in front of
/// plain-text sources.
public struct MustacheSyntaxError: Error, CustomStringConvertible, Equatable {
    /// The pragma that switches HTML escaping off for plain-text parts (subjects, texts, robots).
    static let plainTextPragma = "{{% CONTENT_TYPE: TEXT}}"

    public let line: Int
    public let column: Int
    public let reason: String

    public var description: String { "line \(line), column \(column): \(reason)" }

    /// Compiles `source`, as plain text (no HTML escaping) or HTML. `firstLine` is the line of the
    /// enclosing file the source starts on (a template body after its front matter).
    public static func compile(_ source: String, plainText: Bool, firstLine: Int = 1) throws(MustacheSyntaxError)
        -> MustacheTemplate
    {
        do {
            return try MustacheTemplate(string: plainText ? plainTextPragma + source : source)
        } catch {
            throw MustacheSyntaxError(error, prefixLength: plainText ? plainTextPragma.count : 0, firstLine: firstLine)
        }
    }

    /// Describes what `MustacheTemplate(string:)` threw for a source that had `prefixLength`
    /// characters put in front of its first line.
    private init(_ error: any Error, prefixLength: Int, firstLine: Int) {
        guard let parserError = error as? MustacheTemplate.ParserError else {
            self.init(line: firstLine, column: 1, reason: "is not valid Mustache")
            return
        }
        let context = parserError.context
        let column = context.lineNumber == 1 ? context.columnNumber - prefixLength : context.columnNumber
        self.init(line: context.lineNumber + firstLine - 1, column: max(column, 1), reason: Self.reason(parserError.error))
    }

    private init(line: Int, column: Int, reason: String) {
        self.line = line
        self.column = column
        self.reason = reason
    }

    private static func reason(_ error: any Error) -> String {
        guard let error = error as? MustacheTemplate.Error else { return "a tag is not closed with }}" }
        switch error {
        case .sectionCloseNameIncorrect: return "a closing tag {{/name}} does not match the section it closes"
        case .unfinishedName: return "a tag is not closed with }} or its name is malformed"
        case .expectedSectionEnd: return "a section ({{#name}} or {{^name}}) is never closed with {{/name}}"
        case .invalidSetDelimiter: return "a set-delimiter tag ({{=<% %>=}}) is malformed"
        case .transformAppliedToInheritanceSection: return "a transform cannot be applied to an inherited section"
        case .illegalTokenInsideInheritSection, .textInsideInheritSection:
            return "only block overrides ({{$name}}…{{/name}}) may appear inside a partial's inherit section"
        case .invalidConfigVariableSyntax: return "a pragma tag ({{% NAME: VALUE}}) is malformed"
        case .unrecognisedConfigVariable: return "a pragma tag names an unknown setting"
        }
    }
}
