import Foundation
import HeraldChannels
import HeraldCore
import Testing

@Suite struct MIMEBuilderTests {
    static func decodeWords(_ header: String) -> String {
        // Unfold, then decode each =?UTF-8?B?…?= word (adjacent words join without the space).
        let unfolded = header.replacingOccurrences(of: "\r\n ", with: " ")
        var bytes: [UInt8] = []
        for word in unfolded.split(separator: " ") {
            guard word.hasPrefix("=?UTF-8?B?"), word.hasSuffix("?=") else { return unfolded }
            bytes += Data(base64Encoded: String(word.dropFirst(10).dropLast(2))).map(Array.init) ?? []
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    @Test(arguments: [
        "欢迎加入 Acme，李雷！您的客户成功经理王芳将在两个工作日内联系您，安排项目启动会。",
        "Renewal in 30 days",
        String(repeating: "Long ASCII subject words ", count: 12),
        "Emoji 🎉 and ümlauts",
        "=?UTF-8?B?looks-encoded?=",
    ])
    func encodedSubjectsRoundTripWithinLimits(subject: String) {
        let value = MIMEEncoding.headerText(subject, nameLength: 7)
        for line in ("Subject: " + value).components(separatedBy: "\r\n") { #expect(line.utf8.count <= 78) }
        for word in value.replacingOccurrences(of: "\r\n ", with: " ").split(separator: " ") where word.hasPrefix("=?") {
            #expect(word.count <= 75)
        }
        #expect(value == subject || Self.decodeWords(value) == subject)
    }

    @Test func encodedWordsNeverSplitAUTF8Sequence() {
        let text = String(repeating: "续约提醒🎉", count: 20)
        for word in MIMEEncoding.encodedWords(text) {
            let bytes = Data(base64Encoded: String(word.dropFirst(10).dropLast(2)))
            #expect(bytes.flatMap { String(data: $0, encoding: .utf8) } != nil, "word \(word) is not whole UTF-8")
        }
    }

    @Test(arguments: [
        ("Wang Fang", "Wang Fang"),
        ("Acme, Inc.", "\"Acme, Inc.\""),
        ("Say \"hi\"", "\"Say \\\"hi\\\"\""),
    ])
    func displayNames(name: String, expected: String) {
        #expect(MIMEEncoding.displayName(name) == expected)
    }

    @Test func nonASCIIDisplayNameIsEncoded() {
        let header = EmailAddress(name: "王芳", address: "wang@acme.example").header
        #expect(header.hasPrefix("=?UTF-8?B?") && header.hasSuffix(" <wang@acme.example>"))
    }

    @Test(arguments: [
        "plain line",
        "trailing space   \nnext",
        "equals = sign and tab\tinside",
        String(repeating: "0123456789", count: 30),
        "café crème brûlée",
        "line1\r\nline2\rline3\nline4",
        "=\n=\n.",
    ])
    func quotedPrintableRoundTripsAndKeepsLinesShort(text: String) {
        let encoded = MIMEEncoding.quotedPrintable(text)
        for line in encoded.components(separatedBy: "\r\n") {
            #expect(line.utf8.count <= 76)
            #expect(!line.hasSuffix(" ") && !line.hasSuffix("\t"))
        }
        #expect(Self.decodeQP(encoded) == MIMEEncoding.crlf(text))
    }

    static func decodeQP(_ text: String) -> String {
        var bytes: [UInt8] = []
        let lines = text.components(separatedBy: "\r\n")
        for (i, line) in lines.enumerated() {
            var chars = Array(line.utf8)
            var soft = false
            if chars.last == UInt8(ascii: "=") {
                soft = true
                chars.removeLast()
            }
            var j = 0
            while j < chars.count {
                if chars[j] == UInt8(ascii: "="), j + 2 < chars.count + 0, let v = UInt8(String(decoding: chars[(j + 1)...(j + 2)], as: UTF8.self), radix: 16) {
                    bytes.append(v)
                    j += 3
                } else {
                    bytes.append(chars[j])
                    j += 1
                }
            }
            if !soft && i < lines.count - 1 { bytes += [13, 10] }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    @Test func multipartAlternativeStructureWithCRLFAndShortLines() throws {
        let email = EmailMessage(
            from: EmailAddress(name: "Acme 客户成功", address: "cs@acme.example"),
            to: [EmailAddress(address: "li@client.example")],
            replyTo: EmailAddress(name: "Wang Fang", address: "wang@acme.example"),
            subject: "欢迎加入 Acme", text: "您好，李雷！\n" + String(repeating: "很长的一行文字。", count: 200),
            html: "<p>Hello <b>Li</b></p>", messageID: "dlv_01TEST@acme.example", date: 1_795_427_491_000)
        let bytes = try MIMEBuilder.build(email, boundary: "b-123")
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(!text.replacingOccurrences(of: "\r\n", with: "").contains("\n"))
        #expect(!text.replacingOccurrences(of: "\r\n", with: "").contains("\r"))
        for line in text.components(separatedBy: "\r\n") { #expect(line.utf8.count <= 998) }
        #expect(text.contains("Message-ID: <dlv_01TEST@acme.example>\r\n"))
        #expect(text.contains("Date: Mon, 23 Nov 2026 09:51:31 +0000\r\n"))
        #expect(text.contains("Reply-To: Wang Fang <wang@acme.example>\r\n"))
        #expect(text.contains("Content-Type: multipart/alternative; boundary=\"b-123\"\r\n"))
        let plain = try #require(text.range(of: "Content-Type: text/plain; charset=UTF-8"))
        let html = try #require(text.range(of: "Content-Type: text/html; charset=UTF-8"))
        #expect(plain.lowerBound < html.lowerBound)
        #expect(text.hasSuffix("\r\n--b-123--\r\n"))
        #expect(text.contains("Content-Transfer-Encoding: base64"))  // CJK text
        #expect(text.contains("Content-Transfer-Encoding: quoted-printable"))  // ASCII HTML
    }

    @Test(arguments: ["Hi\r\nBcc: all@x.example", "Hi\nX-Evil: 1", "nul\u{0}byte"])
    func headerInjectionIsImpossible(subject: String) {
        let email = EmailMessage(
            from: EmailAddress(address: "cs@acme.example"), to: [EmailAddress(address: "li@client.example")],
            subject: subject, text: "x", html: nil, messageID: "m@acme.example", date: 0)
        #expect(throws: HeraldError.self) { _ = try MIMEBuilder.build(email) }
        #expect(EmailAddress(parsing: "Evil\r\nBcc: x <a@b.example>") == nil)
    }

    @Test(arguments: [
        ("li@client.example", true), ("Li Lei <li@client.example>", true), ("\"Lei, Li\" <li@client.example>", true),
        ("li@", false), ("@client.example", false), ("li lei@client.example", false), ("li@client", false),
        ("li@client..example", false), ("李@client.example", false), ("li@client.example>", false),
    ])
    func addressParsing(text: String, valid: Bool) {
        #expect((EmailAddress(parsing: text) != nil) == valid)
    }

    @Test(arguments: [
        (SMTPReply(code: 250, text: "250 2.0.0 Ok: queued as ABC123", curlCode: 0, curlMessage: ""), "sent"),
        (SMTPReply(code: 451, text: "451 4.7.1 greylisted", curlCode: 55, curlMessage: ""), "retry"),
        (SMTPReply(code: 421, text: "421 try later", curlCode: 8, curlMessage: ""), "retry"),
        (SMTPReply(code: 550, text: "550 5.1.1 <x@y>: user unknown", curlCode: 55, curlMessage: ""), "bounced"),
        (SMTPReply(code: 553, text: "553 mailbox name not allowed", curlCode: 55, curlMessage: ""), "bounced"),
        (SMTPReply(code: 550, text: "550 5.7.1 policy", curlCode: 55, curlMessage: ""), "failed"),
        (SMTPReply(code: 553, text: "553 5.1.8 sender domain", curlCode: 55, curlMessage: ""), "failed"),
        (SMTPReply(code: 554, text: "554 5.7.1 rejected content", curlCode: 8, curlMessage: ""), "failed"),
        (SMTPReply(code: 535, text: "535 5.7.8 bad credentials", curlCode: 67, curlMessage: ""), "retry"),
        (SMTPReply(code: 0, text: "", curlCode: 7, curlMessage: "Couldn't connect"), "retry"),
        (SMTPReply(code: 0, text: "", curlCode: 64, curlMessage: "Requested SSL level failed"), "retry"),
    ])
    func smtpReplyClasses(reply: SMTPReply, expected: String) {
        let kind: String = switch SMTPClassifier.classify(reply) {
        case .sent: "sent"
        case .retry: "retry"
        case .failed: "failed"
        case .bounced: "bounced"
        case .optedOut, .optedOutOfMarketing: "opted out"
        }
        #expect(kind == expected)
        if case .sent(let id) = SMTPClassifier.classify(reply) { #expect(id == "Ok: queued as ABC123") }
    }
}
