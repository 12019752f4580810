import PropertyBased
import Synchronization
import Testing

@testable import HeraldCore

/// The enqueue check's shortcut (``SimpleTemplate``) may only ever say "renders cleanly" where the
/// full Mustache render agrees; everything else goes to the full render.
@Suite struct SimpleTemplateTests {
    static let data = JSONValue.object([
        "name": .string("Li"), "n": .int(3), "ratio": .double(0.5), "ok": .bool(true), "none": .null,
        "x-y": .string("dash"), "broken": .string("a\nb"), "list": .array([.int(1)]), "obj": .object(["a": .int(1)]),
    ])

    static let fragments = [
        "Hi ", "{{", "}}", "{{{", "}}}", "{", "}", " ", "name", "n", "none", "x-y", "missing", "broken", "list", "obj",
        "obj.a", "#", "/", "^", "!", ">", "&", "=", ".", "-", "_", "\n", "\t", "é", "一", "{{name}}", "{{ n }}",
        "{{{ratio}}}", "{{ok}}", "{{none}}", "{{x-y}}", "{{missing}}", "{{broken}}", "{{list}}", "{{#ok}}", "{{/ok}}",
        "{{^ok}}", "{{! note }}", "{{> part}}", "{{&name}}", "{{=<% %>=}}", "{{.}}", "{{obj.a}}",
    ]
    static let source = Gen<String?>.element(of: fragments).array(of: 0...10).map { $0.compactMap { $0 }.joined() }
    /// Sources the shortcut should mostly answer for: text, braces and plain tags.
    static let simpleSource = Gen<String?>.element(of: [
        "Hi ", " ", "}", "}}", "é", "一", "\n", "{{name}}", "{{ n }}", "{{{ratio}}}", "{{ok}}", "{{none}}", "{{x-y}}",
        "{{broken}}", "{{missing}}",
    ]).array(of: 0...8).map { $0.compactMap { $0 }.joined() }

    @Test func examples() {
        guard case .object(let fields) = Self.data else { return }
        let clean = ["", "plain text", "Hi {{name}}, {{ n }} of {{{ratio}}} {{ok}}{{none}}{{x-y}}", "a } b", "{{{name}}}}"]
        for source in clean {
            #expect(SimpleTemplate.rendersCleanly(source, fields: fields, singleLine: true), "\(source)")
        }
        let unknown = ["{{missing}}", "{{#ok}}x{{/ok}}", "{{obj.a}}", "{{name", "{{{name}}", "{{ }}", "{{list}}", "{{obj}}", "{{>p}}", "a { b", "x{"]
        for source in unknown {
            #expect(!SimpleTemplate.rendersCleanly(source, fields: fields, singleLine: false), "\(source)")
        }
        // A line break only matters in a single-line field (the subject).
        #expect(SimpleTemplate.rendersCleanly("x {{broken}}", fields: fields, singleLine: false))
        #expect(!SimpleTemplate.rendersCleanly("x {{broken}}", fields: fields, singleLine: true))
        #expect(!SimpleTemplate.rendersCleanly("x\ny", fields: fields, singleLine: true))
    }

    /// Random sources from Mustache's own syntax: wherever the shortcut says "clean", the full
    /// render succeeds, in each field.
    @Test(arguments: [false, true])
    func agreesWithTheFullRender(simple: Bool) async {
        let asked = Atomic<Int>(0)
        let answered = Atomic<Int>(0)
        await propertyCheck(count: 1_000, input: simple ? Self.simpleSource : Self.source) { source in
            let fields: [(String?, String?, String?)] = [(source, nil, nil), (nil, source, nil), (nil, nil, source)]
            for (subject, text, html) in fields {
                asked.add(1, ordering: .relaxed)
                guard InlineRenderer.rendersCleanly(subject: subject, text: text, html: html, data: Self.data) else { continue }
                answered.add(1, ordering: .relaxed)
                #expect(throws: Never.self, "\(source)") {
                    try InlineRenderer.render(subject: subject, text: text, html: html, data: Self.data)
                }
            }
        }
        // Not vacuous: the plain sources are mostly answered without rendering.
        if simple { #expect(answered.load(ordering: .relaxed) * 4 > asked.load(ordering: .relaxed)) }
    }

    /// The renderer's check takes the shortcut only where it may, and refuses what rendering refuses.
    @Test func checkRefusesWhatRenderRefuses() {
        let renderer = MessageRenderer()
        #expect(throws: Never.self) {
            try renderer.check(
                template: nil, subject: "Hi {{name}}", text: "{{n}}", html: nil, data: Self.data, locale: nil, channel: .email)
        }
        do {
            try renderer.check(
                template: nil, subject: "Hi {{broken}}", text: "x", html: nil, data: Self.data, locale: nil, channel: .email)
            Issue.record("a subject with a line break passed")
        } catch {
            #expect(error.fields.first?.name == "subject")
        }
        do {
            try renderer.check(
                template: nil, subject: nil, text: "{{missing}} and {{name}}", html: nil, data: Self.data, locale: nil,
                channel: .webhook)
            Issue.record("a missing name passed")
        } catch {
            #expect(error.fields.first?.reason.contains("'missing'") == true)
        }
        // Robot channels refuse empty text, which only rendering tells.
        #expect(throws: HeraldError.self) {
            try renderer.check(
                template: nil, subject: nil, text: "{{none}}", html: nil, data: Self.data, locale: nil, channel: .dingtalk)
        }
    }
}
