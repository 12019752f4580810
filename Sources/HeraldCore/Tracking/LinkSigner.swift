import Crypto
import Foundation

/// A link Herald put in a message: an open pixel, a click redirect, or an unsubscribe page.
public struct TrackedLink: Sendable, Equatable {
    public enum Kind: String, Sendable {
        case open = "o"
        case click = "c"
        case unsubscribe = "u"
    }

    public var kind: Kind
    public var deliveryID: String
    /// The original target of a click link.
    public var url: String?

    public init(kind: Kind, deliveryID: String, url: String? = nil) {
        self.kind = kind
        self.deliveryID = deliveryID
        self.url = url
    }
}

/// Signs and verifies the tokens in tracking and unsubscribe URLs:
/// `base64url(kind ":" delivery id [":" url]) "." base64url(HMAC-SHA256(key, payload)[0..<16])`.
/// The click target is inside the signed payload, so a token cannot be bent into an open redirect.
public struct LinkSigner: Sendable {
    private let key: [UInt8]

    /// - Parameter secret: at least 16 bytes of secret text (e.g. 32 random bytes, base64).
    public init(secret: String) throws(HeraldError) {
        guard secret.utf8.count >= 16 else { throw .configuration("the tracking key must be at least 16 characters") }
        key = Array(secret.utf8)
    }

    public func token(for link: TrackedLink) -> String {
        var payload = link.kind.rawValue + ":" + link.deliveryID
        if let url = link.url { payload += ":" + url }
        let bytes = Array(payload.utf8)
        return ByteEncoding.base64url(bytes) + "." + ByteEncoding.base64url(mac(bytes))
    }

    /// The link a token stands for, or nil when it is malformed or its signature does not match.
    public func verify(_ token: String) -> TrackedLink? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, token.utf8.count <= 8_192, let payload = ByteEncoding.fromBase64url(String(parts[0])),
            let signature = ByteEncoding.fromBase64url(String(parts[1])), signature.count == 16
        else { return nil }
        guard ByteEncoding.constantTimeEqual(mac(payload), signature) else { return nil }
        guard let text = String(bytes: payload, encoding: .utf8) else { return nil }
        let fields = text.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
        guard fields.count >= 2, let kind = TrackedLink.Kind(rawValue: String(fields[0])),
            HeraldID.isValid(String(fields[1]), kind: .delivery)
        else { return nil }
        let url = fields.count == 3 ? String(fields[2]) : nil
        if kind == .click && (url.map(DestinationRules.urlProblem) ?? "missing") != nil { return nil }
        return TrackedLink(kind: kind, deliveryID: String(fields[1]), url: url)
    }

    private func mac(_ payload: [UInt8]) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: payload, using: SymmetricKey(data: key)).prefix(16))
    }
}
