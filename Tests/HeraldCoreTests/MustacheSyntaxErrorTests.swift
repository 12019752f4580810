import HeraldCore
import Testing

@Suite struct MustacheSyntaxErrorTests {
    func error(_ source: String, plainText: Bool = true, firstLine: Int = 1) -> MustacheSyntaxError? {
        do {
            _ = try MustacheSyntaxError.compile(source, plainText: plainText, firstLine: firstLine)
            return nil
        } catch {
            return error
        }
    }

    @Test func positionsCountTheAuthorsTextNotThePragmaInFront() {
        // The same mistake as plain text (the pragma is put in front) and as HTML (nothing is):
        // the same column either way.
        let plain = error("Hello {{/name}} there")
        let html = error("Hello {{/name}} there", plainText: false)
        #expect(plain != nil && plain == html)
        #expect(plain?.line == 1)
        #expect((plain?.column ?? 0) >= 7 && (plain?.column ?? 99) <= 16)
    }

    @Test func linesAreTheEnclosingFilesWhenTheSourceStartsFurtherDown() throws {
        let inBody = try #require(error("Dear {{name}},\n\nSee {{/items}} below.", firstLine: 1))
        let inFile = try #require(error("Dear {{name}},\n\nSee {{/items}} below.", firstLine: 5))
        #expect(inBody.line == 3)
        #expect(inFile.line == 7 && inFile.column == inBody.column)
    }

    @Test func eachMistakeIsNamedInWordsWithoutInternalTypeNames() throws {
        let cases: [(String, String)] = [
            ("{{#items}}open and never closed", "is never closed"),
            ("{{#a}}x{{/b}}", "does not match"),
            ("{{=<% =}}", "set-delimiter"),
            ("{{% CONTENT_TYPE}}", "pragma"),
        ]
        for (source, words) in cases {
            let found = try #require(error(source), "\(source) parsed")
            #expect(found.reason.contains(words), "\(source): \(found.reason)")
            #expect(!found.description.contains("Mustache."), "\(found.description)")
            #expect(!found.description.contains("CONTENT_TYPE: TEXT"), "\(found.description)")
        }
    }

    @Test func anInlineTemplateErrorNamesTheFieldAndThePlace() throws {
        do {
            _ = try InlineRenderer.render(
                subject: "Hi {{name}}", text: "Line one\n{{#tasks}}{{title}}", html: nil, data: .object(["name": .string("Li")]))
            Issue.record("a broken template rendered")
        } catch {
            #expect(error.fields.map(\.name) == ["text"])
            let problem = try #require(error.fields.first)
            #expect(problem.reason.hasPrefix("is not a valid Mustache template: line 2, column "))
            #expect(problem.reason.contains("{{#name}} or {{^name}}) is never closed"))
        }
    }
}
