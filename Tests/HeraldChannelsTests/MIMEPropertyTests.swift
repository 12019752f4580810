import Foundation
import HeraldCore
import PropertyBased
import Testing

@testable import HeraldChannels

/// Random Unicode (CJK, emoji, combining marks, RTL, controls), CR/LF and very long words through the
/// MIME builder: it never lets a line break into a header, every line stays within 998 octets and
/// ends CRLF, encoded subjects and names decode back exactly, and bodies decode back to the text.
@Suite struct MIMEPropertyTests {
    /// Strings mixing the alphabets a CSM's email meets, and very long runs without spaces.
    static let text = Gen<Character>.oneOf(
        Gen.character(in: "a"..."z"), Gen.character(in: "0"..."9"), Gen.character(in: "一"..."龥"), Gen.character(in: "😀"..."🙏"),
        Gen.character(in: "\u{0590}"..."\u{05FF}"), Gen.character(in: " "..."~"), Gen.character(in: "à"..."ÿ")
    ).string(of: 0...400)
    static let lineBreak = Gen<String>.oneOf(Gen.always("\r"), Gen.always("\n"), Gen.always("\r\n"), Gen.always("\u{0}"))

    func message(subject: String, name: String, body: String) -> EmailMessage {
        EmailMessage(
            from: EmailAddress(name: "Acme 客户成功", address: "cs@acme.example"),
            to: [EmailAddress(name: name.isEmpty ? nil : name, address: "li@client.example")], subject: subject,
            text: body, html: "<p>" + body + "</p>", messageID: "dlv_1@mail.acme.example", date: 1_790_000_000_000)
    }

    /// RFC 2047 B-words of a header value, decoded (unfolded first).
    func decoded(_ value: String) -> String {
        let unfolded = value.replacingOccurrences(of: "\r\n ", with: " ")
        guard unfolded.hasPrefix("=?") else { return unfolded }
        var bytes: [UInt8] = []
        for word in unfolded.split(separator: " ") {
            let inner = word.dropFirst("=?UTF-8?B?".count).dropLast(2)
            bytes += Data(base64Encoded: String(inner)).map(Array.init) ?? []
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Header name → raw value (continuation lines kept), from the bytes before the first blank line.
    func headers(_ wire: String) -> [(String, String)] {
        let head = wire.components(separatedBy: "\r\n\r\n")[0]
        var out: [(String, String)] = []
        for line in head.components(separatedBy: "\r\n") {
            if line.hasPrefix(" "), let last = out.popLast() {
                out.append((last.0, last.1 + "\r\n" + line))
            } else if let colon = line.firstIndex(of: ":") {
                out.append((String(line[..<colon]), String(line[line.index(colon, offsetBy: 2)...])))
            }
        }
        return out
    }

    @Test func anySubjectAndNameRoundTripWithinLineLimits() async {
        await propertyCheck(count: 300, input: Self.text, Self.text.map { String($0.prefix(60)) }, Self.text) { subject, name, body in
            let clean = subject.filter { !$0.isNewline && $0 != "\u{0}" }
            let cleanName = name.filter { !$0.isNewline && $0 != "\u{0}" }
            guard let bytes = try? MIMEBuilder.build(message(subject: clean, name: cleanName, body: body)) else {
                Issue.record("a subject without line breaks was refused: \(clean.debugDescription)")
                return
            }
            let wire = String(decoding: bytes, as: UTF8.self)
            #expect(!wire.replacingOccurrences(of: "\r\n", with: "").contains("\n"), "a bare LF")
            #expect(!wire.replacingOccurrences(of: "\r\n", with: "").contains("\r"), "a bare CR")
            #expect(wire.components(separatedBy: "\r\n").allSatisfy { $0.utf8.count <= 998 })
            let fields = headers(wire)
            #expect(fields.map(\.0) == ["Date", "From", "To", "Subject", "Message-ID", "MIME-Version", "Content-Type"])
            #expect(decoded(fields.first { $0.0 == "Subject" }?.1 ?? "") == clean)
        }
    }

    @Test func aLineBreakAnywhereInAHeaderIsRefused() async {
        await propertyCheck(count: 200, input: Self.text, Self.lineBreak, Self.text) { before, lineBreak, after in
            let hostile = before + lineBreak + "Bcc: victim@evil.example" + after
            #expect(throws: HeraldError.self) { _ = try MIMEBuilder.build(message(subject: hostile, name: "", body: "hi")) }
            #expect(throws: HeraldError.self) { _ = try MIMEBuilder.build(message(subject: "ok", name: hostile, body: "hi")) }
        }
    }

    @Test func quotedPrintableBodiesDecodeBack() async {
        await propertyCheck(count: 300, input: Self.text, Self.lineBreak.map { $0 == "\u{0}" ? "\n" : $0 }, Self.text) { a, lineBreak, b in
            let text = a + lineBreak + b
            let encoded = MIMEEncoding.quotedPrintable(text)
            #expect(encoded.components(separatedBy: "\r\n").allSatisfy { $0.utf8.count <= 76 })
            #expect(Self.decodeQuotedPrintable(encoded) == MIMEEncoding.crlf(text))
        }
    }

    static func decodeQuotedPrintable(_ text: String) -> String {
        var bytes: [UInt8] = []
        let input = Array(text.replacingOccurrences(of: "=\r\n", with: "").utf8)
        var i = 0
        while i < input.count {
            if input[i] == UInt8(ascii: "="), i + 2 < input.count,
                let value = UInt8(String(decoding: input[(i + 1)...(i + 2)], as: UTF8.self), radix: 16)
            {
                bytes.append(value)
                i += 3
            } else {
                bytes.append(input[i])
                i += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
