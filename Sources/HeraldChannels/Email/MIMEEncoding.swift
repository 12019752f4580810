import Foundation

/// The encodings an email needs: RFC 2047 encoded words for headers, quoted-printable and
/// base64 bodies (RFC 2045), all with CRLF line ends and no line over 76 characters.
public enum MIMEEncoding {
    /// Bytes of UTF-8 per encoded word: 39 bytes → 52 base64 characters, plus the 12 characters of
    /// `=?UTF-8?B?…?=` = 64: within RFC 2047's 75, and `Subject: ` plus one word within 78.
    static let bytesPerWord = 39

    /// A header value as it may appear on the wire: plain when it is short printable ASCII,
    /// otherwise RFC 2047 `=?UTF-8?B?…?=` words, folded with CRLF + space between words.
    /// Never splits a UTF-8 sequence between words.
    public static func headerText(_ text: String, nameLength: Int) -> String {
        let plain = text.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F } && !text.contains("=?")
        if plain && nameLength + 2 + text.utf8.count <= 78 { return text }
        return encodedWords(text).joined(separator: "\r\n ")
    }

    /// `text` cut into RFC 2047 B-encoded words of at most 75 characters each.
    public static func encodedWords(_ text: String) -> [String] {
        var words: [String] = []
        var chunk: [UInt8] = []
        for scalar in text.unicodeScalars {
            let bytes = Array(String(scalar).utf8)
            if chunk.count + bytes.count > bytesPerWord {
                words.append("=?UTF-8?B?" + Data(chunk).base64EncodedString() + "?=")
                chunk = []
            }
            chunk += bytes
        }
        if !chunk.isEmpty || words.isEmpty { words.append("=?UTF-8?B?" + Data(chunk).base64EncodedString() + "?=") }
        return words
    }

    /// A display name for an address header: as is when it is a plain atom phrase, quoted when
    /// it holds specials, RFC 2047 words when it is not ASCII.
    public static func displayName(_ name: String) -> String {
        if !name.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) || name.contains("=?") {
            return encodedWords(name).joined(separator: " ")
        }
        let specials = Set("()<>[]:;@\\,.\"")
        if name.contains(where: { specials.contains($0) }) {
            return "\"" + name.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        }
        return name
    }

    /// Text with every line ending (CRLF, CR or LF) turned into CRLF. Works on UTF-8 bytes: a
    /// Foundation search by characters can take a CR followed by a combining mark for one
    /// character and lose the line break (found by the property tests).
    public static func crlf(_ text: String) -> String {
        let input = Array(text.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(input.count + 16)
        var i = 0
        while i < input.count {
            let byte = input[i]
            if byte == 13 || byte == 10 {
                out += [13, 10]
                i += (byte == 13 && i + 1 < input.count && input[i + 1] == 10) ? 2 : 1
            } else {
                out.append(byte)
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Whether quoted-printable suits `text` (mostly ASCII) better than base64.
    public static func prefersQuotedPrintable(_ text: String) -> Bool {
        let bytes = text.utf8
        guard !bytes.isEmpty else { return true }
        let high = bytes.reduce(0) { $0 + ($1 >= 0x80 ? 1 : 0) }
        return high * 5 < bytes.count
    }

    /// Quoted-printable (RFC 2045 §6.7): hard line breaks stay CRLF, soft breaks `=` CRLF keep every
    /// line at 76 characters or fewer, trailing white space and `=` are escaped.
    public static func quotedPrintable(_ text: String) -> String {
        let input = Array(text.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(input.count + input.count / 8)
        var lineLength = 0
        var i = 0
        while i < input.count {
            let byte = input[i]
            // Any of CRLF, CR or LF is a hard line break.
            if byte == 13 || byte == 10 {
                out += [13, 10]
                lineLength = 0
                i += (byte == 13 && i + 1 < input.count && input[i + 1] == 10) ? 2 : 1
                continue
            }
            let next = i + 1 < input.count ? input[i + 1] : 10
            let endOfLine = next == 13 || next == 10
            let literal = (byte >= 33 && byte <= 126 && byte != 61) || ((byte == 32 || byte == 9) && !endOfLine)
            let width = literal ? 1 : 3
            // Keep room for a soft-break "=" within 76 columns.
            if lineLength + width > 75 {
                out += [61, 13, 10]
                lineLength = 0
            }
            if literal {
                out.append(byte)
            } else {
                out += [61, hexDigits[Int(byte >> 4)], hexDigits[Int(byte & 15)]]
            }
            lineLength += width
            i += 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Base64 in lines of 76 characters, CRLF-separated.
    public static func base64Lines(_ bytes: [UInt8]) -> String {
        let encoded = Data(bytes).base64EncodedString()
        var lines: [Substring] = []
        var index = encoded.startIndex
        while index < encoded.endIndex {
            let end = encoded.index(index, offsetBy: 76, limitedBy: encoded.endIndex) ?? encoded.endIndex
            lines.append(encoded[index..<end])
            index = end
        }
        return lines.joined(separator: "\r\n")
    }

    /// RFC 5322 date, e.g. `Mon, 23 Nov 2026 10:15:33 +0000` (UTC; no formatter allocation per message).
    public static func date(_ millis: Int64) -> String {
        var seconds = time_t(millis / 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(days[Int(parts.tm_wday)]), \(two(parts.tm_mday)) \(months[Int(parts.tm_mon)]) \(parts.tm_year + 1900) "
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) +0000"
    }

    private static let hexDigits = Array("0123456789ABCDEF".utf8)
}
