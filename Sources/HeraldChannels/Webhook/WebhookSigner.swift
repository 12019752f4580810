import Crypto
import Foundation
import HeraldCore

/// Signs requests per Standard Webhooks 1.0: `HMAC-SHA256(key, id + "." + timestamp + "." + body)`,
/// sent as `webhook-signature: v1,<base64>`.
public struct WebhookSigner: Sendable {
    // Raw key bytes: SymmetricKey is not Sendable, and making one per signature is cheap.
    private let keyBytes: [UInt8]

    /// - Parameter secret: `whsec_<base64>` (the base64 part is the key), as the spec shows secrets.
    public init(secret: String) throws(HeraldError) {
        guard secret.hasPrefix("whsec_"), let bytes = Data(base64Encoded: String(secret.dropFirst(6))),
            (16...64).contains(bytes.count)
        else {
            throw .configuration("webhook secret must be whsec_ followed by base64 of 16–64 random bytes")
        }
        keyBytes = Array(bytes)
    }

    /// The `webhook-signature` header value.
    public func signature(id: String, timestamp: Int64, body: [UInt8]) -> String {
        // Fed in pieces: the body is never copied into one buffer with the prefix.
        var hmac = HMAC<SHA256>(key: SymmetricKey(data: keyBytes))
        hmac.update(data: Array("\(id).\(timestamp).".utf8))
        hmac.update(data: body)
        return "v1," + Data(hmac.finalize()).base64EncodedString()
    }

    /// The headers of a signed JSON POST: `Content-Type`, `webhook-id`, `webhook-timestamp` (seconds
    /// of `now`, epoch ms) and `webhook-signature`.
    public func headers(id: String, body: [UInt8], now: Int64) -> [(String, String)] {
        let seconds = now / 1000
        return [
            ("Content-Type", "application/json"),
            ("webhook-id", id),
            ("webhook-timestamp", String(seconds)),
            ("webhook-signature", signature(id: id, timestamp: seconds, body: body)),
        ]
    }

    /// A fresh random secret in `whsec_` form (24 bytes, as the spec suggests).
    public static func generateSecret() -> String {
        let key = SymmetricKey(size: .bits192)
        return "whsec_" + key.withUnsafeBytes { Data($0).base64EncodedString() }
    }
}
