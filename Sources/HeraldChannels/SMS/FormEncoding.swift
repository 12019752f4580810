import Foundation

/// `application/x-www-form-urlencoded` and RFC 3986 percent-encoding, as SMS APIs use them (and the
/// dashboard links: one query value or path segment).
public enum FormEncoding {
    /// RFC 3986: unreserved characters stay, everything else is `%XX` (space → `%20`, `*` → `%2A`).
    public static func percent(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case 0x30...0x39, 0x41...0x5A, 0x61...0x7A, 0x2D, 0x2E, 0x5F, 0x7E: out.unicodeScalars.append(Unicode.Scalar(byte))
            default: out += String(format: "%%%02X", byte)
            }
        }
        return out
    }

    public static func encode(_ fields: [(String, String)]) -> String {
        fields.map { percent($0.0) + "=" + percent($0.1) }.joined(separator: "&")
    }

    /// Decodes a form body (`+` is a space); malformed escapes are kept as they are.
    public static func decode(_ body: [UInt8]) -> [(String, String)] {
        String(decoding: body, as: UTF8.self).split(separator: "&").map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func unescape(_ s: Substring) -> String {
                let spaced = s.replacingOccurrences(of: "+", with: " ")
                return spaced.removingPercentEncoding ?? spaced
            }
            return (unescape(parts[0]), parts.count > 1 ? unescape(parts[1]) : "")
        }
    }
}
