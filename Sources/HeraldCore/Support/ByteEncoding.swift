import Foundation

/// Text forms of bytes used across Herald: lowercase hex (digests) and unpadded base64url
/// (tokens in URLs and secrets). Byte-level, because these run per request.
public enum ByteEncoding {
    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// Lowercase hex, two characters per byte.
    public static func hex(_ bytes: some Sequence<UInt8>) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(64)
        for byte in bytes {
            out.append(hexDigits[Int(byte >> 4)])
            out.append(hexDigits[Int(byte & 15)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// RFC 4648 §5 base64url without padding.
    public static func base64url(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// Whether `c` is an ASCII letter or digit.
    @inline(__always)
    public static func isAlphanumeric(_ c: UInt8) -> Bool {
        (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A)
    }

    /// Whether `c` is a base64url character (`A–Z a–z 0–9 - _`).
    @inline(__always)
    public static func isBase64url(_ c: UInt8) -> Bool { isAlphanumeric(c) || c == 0x2D || c == 0x5F }

    /// The bytes of unpadded base64url text, or nil when it is not base64url.
    public static func fromBase64url(_ text: String) -> [UInt8]? {
        guard text.utf8.allSatisfy(isBase64url) else { return nil }
        var base = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base.count % 4 != 0 { base += "=" }
        return Data(base64Encoded: base).map(Array.init)
    }

    /// Whether two byte sequences are equal, in time that depends only on their lengths
    /// (signature and token checks must not leak how many leading bytes matched).
    public static func constantTimeEqual<A: Collection<UInt8>, B: Collection<UInt8>>(_ a: A, _ b: B) -> Bool {
        guard a.count == b.count else { return false }
        return zip(a, b).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
