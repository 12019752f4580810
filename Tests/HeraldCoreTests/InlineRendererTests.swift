import HeraldCore
import Testing

@Suite struct InlineRendererTests {
    let data: JSONValue = .object([
        "first_name": .string("Li"), "csm": .object(["name": .string("Wang Fang")]), "count": .int(3),
        "note": .null, "items": .array([.object(["title": .string("Kickoff")]), .object(["title": .string("Training")])]),
        "markup": .string("<b>bold</b> & co"),
    ])

    @Test func rendersVariablesNestedNamesAndSections() throws {
        let r = try InlineRenderer.render(
            subject: "Welcome, {{first_name}}", text: "{{csm.name}} will call. {{#items}}[{{title}} for {{first_name}}]{{/items}}{{note}}",
            html: "<p>{{markup}}</p><p>{{{markup}}}</p>", data: data)
        #expect(r.subject == "Welcome, Li")
        #expect(r.text == "Wang Fang will call. [Kickoff for Li][Training for Li]")
        #expect(r.html == "<p>&lt;b&gt;bold&lt;/b&gt; &amp; co</p><p><b>bold</b> & co</p>")
    }

    @Test func aParsedTemplateIsReusedWithOtherDataAndStillReportsMissingNames() throws {
        let text = "Hi {{first_name}}, {{count}} tasks wait (\(UInt64.random(in: 0...UInt64.max)))"
        for name in ["Li", "Wang", "Zhao"] {
            let r = try InlineRenderer.render(
                subject: nil, text: text, html: nil, data: .object(["first_name": .string(name), "count": .int(2)]))
            #expect(r.text?.hasPrefix("Hi \(name), 2 tasks wait") == true)
        }
        // The same cached template with data lacking a name: still the error naming it.
        #expect(throws: HeraldError.self) {
            try InlineRenderer.render(subject: nil, text: text, html: nil, data: .object(["first_name": .string("Li")]))
        }
        do {
            _ = try InlineRenderer.render(subject: nil, text: text, html: nil, data: .object(["first_name": .string("Li")]))
        } catch {
            #expect(error.fields.first?.name == "text" && error.fields.first?.reason.contains("'count'") == true)
        }
        // Text and HTML parse differently (escaping): the same source as html is its own entry.
        let html = try InlineRenderer.render(subject: nil, text: nil, html: "<p>{{markup}}</p>", data: data)
        let plain = try InlineRenderer.render(subject: nil, text: "<p>{{markup}}</p>", html: nil, data: data)
        #expect(html.html == "<p>&lt;b&gt;bold&lt;/b&gt; &amp; co</p>" && plain.text == "<p><b>bold</b> & co</p>")
    }

    @Test func plainTextIsNotHTMLEscaped() throws {
        let r = try InlineRenderer.render(subject: "{{markup}}", text: "{{markup}}", html: nil, data: data)
        #expect(r.subject == "<b>bold</b> & co" && r.text == "<b>bold</b> & co")
    }

    @Test func missingNamesAreErrorsNamingTheFieldAndTheName() {
        #expect {
            _ = try InlineRenderer.render(subject: "Hi {{frist_name}}", text: "{{#missing}}x{{/missing}}", html: nil, data: data)
        } throws: { error in
            let fields = (error as? HeraldError)?.fields ?? []
            return fields.count == 2 && fields[0].name == "subject" && fields[0].reason.contains("'frist_name'")
                && fields[1].name == "text" && fields[1].reason.contains("'missing'")
        }
    }

    @Test func nullIsPresentButEmptyAndFalsy() throws {
        let r = try InlineRenderer.render(subject: nil, text: "[{{note}}]{{#note}}shown{{/note}}{{^note}}hidden{{/note}}", html: nil, data: data)
        #expect(r.text == "[]hidden")
    }

    @Test func syntaxErrorsAndLineBreaksFromDataAreRejected() {
        #expect(throws: HeraldError.self) {
            _ = try InlineRenderer.render(subject: nil, text: "{{#open}}never closed", html: nil, data: data)
        }
        #expect(throws: HeraldError.self) {
            _ = try InlineRenderer.render(subject: "{{v}}", text: nil, html: nil, data: .object(["v": .string("a\r\nBcc: x")]))
        }
    }

    @Test func textWithoutTagsIsUntouched() throws {
        let r = try InlineRenderer.render(subject: "50% off {not a tag}", text: nil, html: nil, data: .object([:]))
        #expect(r.subject == "50% off {not a tag}")
    }
}
