import Foundation
import HeraldCore
import Testing

/// The request-body parser: RFC 8259 accepted, everything else refused with the byte it failed at.
@Suite struct JSONParserTests {
    func parse(_ text: String) throws(HeraldError) -> JSONValue { try JSONValue.parse(Array(text.utf8)) }

    @Test func valuesOfEveryKind() throws {
        #expect(try parse(#" {"a": [1, -2, 3.5, 1e3, 2.0, -0, 9223372036854775807, 1e20], "b": {"c": null}, "d": true, "e": false} "#)
            == .object([
                "a": .array([.int(1), .int(-2), .double(3.5), .int(1000), .int(2), .int(0), .int(.max), .double(1e20)]),
                "b": .object(["c": .null]), "d": .bool(true), "e": .bool(false),
            ]))
        #expect(try parse("[]") == .array([]) && (try parse("{}")) == .object([:]) && (try parse("\"x\"")) == .string("x"))
        #expect(try parse("9223372036854775808") == .double(9223372036854775808))  // past Int64: a double
        #expect(try parse(#"{"k": 1, "k": 2}"#) == .object(["k": .int(2)]))  // a repeated key keeps the last value
    }

    @Test func stringsWithEscapesAndUnicode() throws {
        #expect(try parse(#""a\"b\\c\/d\b\f\n\r\t""#) == .string("a\"b\\c/d\u{08}\u{0C}\n\r\t"))
        #expect(try parse(#""\u00e9\u4e2d\ud83d\ude00""#) == .string("é中😀"))
        #expect(try parse("\"欢迎加入 Acme 🎉\"") == .string("欢迎加入 Acme 🎉"))
    }

    @Test(arguments: [
        "", " ", "{", "[1,]", "{\"a\":1,}", "{a:1}", "{'a':1}", "[1 2]", "01", "-", "1.", ".5", "1e", "+1", "NaN", "Infinity",
        "1e400", "tru", "nul", "[1]x", "\"abc", "\"a\u{01}b\"", "\"\\x\"", "\"\\u12\"", "\"\\ud83d\"", "\"\\ude00\"",
        "\"\\ud83d\\u0041\"", "{\"a\" 1}", "[", "]", "{\"a\":}",
    ])
    func malformedInputIsRefused(text: String) {
        #expect(throws: HeraldError.self) { try parse(text) }
    }

    @Test func invalidUTF8AndDepthAreRefused() {
        #expect(throws: HeraldError.self) { try JSONValue.parse([0x22, 0xC3, 0x28, 0x22]) }  // "\xC3(" : a broken sequence
        #expect(throws: HeraldError.self) { try JSONValue.parse([0x22, 0xED, 0xA0, 0x80, 0x22]) }  // a UTF-8 encoded surrogate
        let deepest = String(repeating: "[", count: JSONValue.maximumDepth) + String(repeating: "]", count: JSONValue.maximumDepth)
        #expect((try? parse(deepest))?.depth == JSONValue.maximumDepth)
        let deeper = "[" + deepest + "]"
        #expect(throws: HeraldError.self) { try parse(deeper) }
        // A million brackets must not exhaust the stack: refused at level 33.
        #expect(throws: HeraldError.self) { try parse(String(repeating: "[", count: 1_000_000)) }
    }

    @Test func errorsSayWhereTheyFailed() {
        do {
            _ = try parse(#"{"a": [1, 2,, 3]}"#)
            Issue.record("parsed")
        } catch {
            #expect(error.kind == .malformedJSON && error.detail.contains("unexpected character at byte 12"), "\(error.detail)")
        }
    }

    /// Differential: whatever Foundation's JSONSerialization reads, the parser reads the same way.
    @Test func agreesWithFoundationOnGeneratedDocuments() throws {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<300 {
            let value = Self.randomValue(depth: 0, using: &generator)
            let data = try JSONSerialization.data(withJSONObject: ["v": value], options: [.fragmentsAllowed])
            let ours = try JSONValue.parse(Array(data))
            let theirs = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
            #expect(Self.same(ours, theirs), "\(String(decoding: data, as: UTF8.self))")
        }
    }

    static func randomValue(depth: Int, using generator: inout SystemRandomNumberGenerator) -> Any {
        let pick = depth > 3 ? Int.random(in: 0..<4, using: &generator) : Int.random(in: 0..<6, using: &generator)
        switch pick {
        case 0: return Int.random(in: -1_000_000...1_000_000, using: &generator)
        case 1: return Double(Int.random(in: -100_000...100_000, using: &generator)) / 64 + 0.5
        case 2:
            let alphabet = Array("abcXYZ \"\\/\n\t\u{01}é中😀\u{2028}")
            return String((0..<Int.random(in: 0..<12, using: &generator)).map { _ in alphabet.randomElement(using: &generator) ?? "a" })
        case 3: return Bool.random(using: &generator)
        case 4: return (0..<Int.random(in: 0..<4, using: &generator)).map { _ in randomValue(depth: depth + 1, using: &generator) }
        default:
            var object: [String: Any] = [:]
            for n in 0..<Int.random(in: 0..<4, using: &generator) { object["k\(n)é"] = randomValue(depth: depth + 1, using: &generator) }
            return object
        }
    }

    static func same(_ ours: JSONValue, _ theirs: Any) -> Bool {
        switch ours {
        case .object(let fields):
            guard let other = theirs as? [String: Any], other.count == fields.count else { return false }
            return fields.allSatisfy { key, value in other[key].map { same(value, $0) } ?? false }
        case .array(let items):
            guard let other = theirs as? [Any], other.count == items.count else { return false }
            return zip(items, other).allSatisfy { same($0, $1) }
        case .string(let s): return (theirs as? String) == s
        case .bool(let b): return (theirs as? Bool) == b
        case .int(let i): return (theirs as? NSNumber)?.doubleValue == Double(i)
        case .double(let d): return (theirs as? NSNumber)?.doubleValue == d
        case .null: return theirs is NSNull
        }
    }
}
