import Foundation
import HeraldCore
import PropertyBased
import Testing

/// Inline templates rendered with random data (Unicode, markup characters, CR/LF, very long words):
/// text gets the value verbatim, HTML gets it escaped so no tag or attribute can be injected, and a
/// subject never carries a line break out of rendering.
@Suite struct RenderingPropertyTests {
    static let value = Gen<Character>.oneOf(
        Gen.character(in: "a"..."z"), Gen.character(in: "一"..."龥"), Gen.character(in: "😀"..."🙏"),
        Gen.character(in: " "..."/"), Gen.always("<"), Gen.always(">"), Gen.always("&"), Gen.always("\""), Gen.always("'"),
        Gen.always("\n"), Gen.always("\r"), Gen.always("{"), Gen.always("}")
    ).string(of: 0...300)

    @Test func valuesRenderVerbatimInTextAndEscapedInHTML() async {
        await propertyCheck(count: 300, input: Self.value) { value in
            let data = JSONValue.object(["name": .string(value)])
            let content = try InlineRenderer.render(subject: nil, text: "Hi {{name}}!", html: "<p title=\"{{name}}\">{{name}}</p>", data: data)
            #expect(content.text == "Hi \(value)!")
            let html = content.html ?? ""
            #expect(html.hasPrefix("<p title=\"") && html.hasSuffix("</p>"))
            // <p title="E">E</p>: the value, escaped, twice; nothing in E can open a tag or end the attribute.
            let inner = Array(html.utf8.dropFirst("<p title=\"".utf8.count).dropLast("</p>".utf8.count))
            let half = (inner.count - 2) / 2
            let escaped = String(decoding: inner.prefix(half), as: UTF8.self)
            #expect(String(decoding: inner, as: UTF8.self) == escaped + "\">" + escaped)
            #expect(!escaped.contains("<") && !escaped.contains(">") && !escaped.contains("\""))
            let unescaped = escaped.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
                .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&#39;", with: "'")
                .replacingOccurrences(of: "&#x27;", with: "'").replacingOccurrences(of: "&amp;", with: "&")
            #expect(unescaped == value)                                          // escaped, not altered
        }
    }

    @Test func aSubjectNeverRendersALineBreak() async {
        await propertyCheck(count: 300, input: Self.value) { value in
            let data = JSONValue.object(["name": .string(value)])
            let valueBreaks = value.unicodeScalars.contains { $0 == "\n" || $0 == "\r" }
            let subject = try? InlineRenderer.render(subject: "Welcome, {{name}}", text: "x", html: nil, data: data).subject
            if let subject {
                let subjectBreaks = subject.unicodeScalars.contains { $0 == "\n" || $0 == "\r" }
                #expect(!subjectBreaks)
                #expect(!valueBreaks)                        // accepted only without line breaks
            } else {
                #expect(valueBreaks)                         // refused only for a line break
            }
        }
    }
}
