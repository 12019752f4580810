import Crypto
import Foundation
import HeraldCore

/// Signs the dashboard's session cookie and derives its CSRF tokens. The key comes from the
/// `[tracking] key` (so sessions survive a restart and are shared by instances with the same
/// key); without one, a random key per process (sessions end with the process).
struct DashboardKeys: Sendable {
    private let keyBytes: [UInt8]

    init(secret: String?) {
        if let secret {
            let derived = HMAC<SHA256>.authenticationCode(for: Array("herald dashboard v1".utf8), using: SymmetricKey(data: Array(secret.utf8)))
            keyBytes = Array(derived)
        } else {
            keyBytes = SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) }
        }
    }

    /// `base64url(payload) "." base64url(HMAC(payload))`.
    func sign(_ payload: String) -> String {
        let bytes = Array(payload.utf8)
        return ByteEncoding.base64url(bytes) + "." + ByteEncoding.base64url(mac(bytes))
    }

    /// The payload of a value made by ``sign(_:)``, or nil when it was not made with this key.
    func verify(_ value: String) -> String? {
        let parts = value.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, value.utf8.count <= 1_024, let payload = ByteEncoding.fromBase64url(String(parts[0])),
            let signature = ByteEncoding.fromBase64url(String(parts[1])),
            ByteEncoding.constantTimeEqual(mac(payload), signature)
        else { return nil }
        return String(bytes: payload, encoding: .utf8)
    }

    /// The token every form carries: bound to the browser's CSRF cookie (a random nonce) by this key,
    /// so another site can neither read nor compute it.
    func csrfToken(nonce: String) -> String {
        ByteEncoding.base64url(mac(Array("csrf|\(nonce)".utf8)))
    }

    /// Whether `token` is the CSRF token for `nonce` (constant time).
    func checkCSRF(_ token: String, nonce: String) -> Bool {
        ByteEncoding.constantTimeEqual(Array(token.utf8), Array(csrfToken(nonce: nonce).utf8))
    }

    /// A fresh random nonce (128 bits, base64url).
    static func nonce() -> String {
        ByteEncoding.base64url(SymmetricKey(size: .bits128).withUnsafeBytes { Array($0) })
    }

    private func mac(_ bytes: [UInt8]) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: bytes, using: SymmetricKey(data: keyBytes)))
    }
}
