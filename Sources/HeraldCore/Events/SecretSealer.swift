import Crypto
import Foundation

/// Seals the signing secrets of API subscriptions before they are stored, so a copy of the database
/// (a backup, an export, a read-only replica) does not hand out the keys that let anyone forge
/// Herald's events to subscribers. Herald must read them back to sign, so they are encrypted, not
/// hashed: ChaCha20-Poly1305 under a key derived (HKDF-SHA256) from `[tracking] key`, bound to the
/// subscription's id so a sealed value moved to another row does not open.
///
/// Stored form: `sealed:v1:` + base64(nonce ‖ ciphertext ‖ tag). A value without the prefix is a
/// secret stored before sealing existed (or without a tracking key): read as it is, and sealed in
/// place at the next start with a key.
public struct SecretSealer: Sendable {
    static let prefix = "sealed:v1:"
    private static let info = Array("herald subscription secrets v1".utf8)

    /// The derived key's bytes (`SymmetricKey` is not `Sendable`).
    private let keyBytes: [UInt8]
    private var key: SymmetricKey { SymmetricKey(data: keyBytes) }

    public init(trackingKey: String) {
        keyBytes = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: SymmetricKey(data: Array(trackingKey.utf8)), info: Self.info, outputByteCount: 32
        ).withUnsafeBytes { Array($0) }
    }

    public static func isSealed(_ stored: String) -> Bool { stored.hasPrefix(prefix) }

    public func seal(_ secret: String, id: String) throws(HeraldError) -> String {
        do {
            let box = try ChaChaPoly.seal(Array(secret.utf8), using: key, authenticating: Array(id.utf8))
            return Self.prefix + box.combined.base64EncodedString()
        } catch {
            throw .internal("cannot seal the subscription secret: \(error)")
        }
    }

    /// The secret of a stored value; throws when it was sealed under another key (or altered).
    public func open(_ stored: String, id: String) throws(HeraldError) -> String {
        try Self.open(stored, id: id, with: self)
    }

    /// Opens with `sealer`, or passes an unsealed value through; without a sealer a sealed value
    /// cannot be read.
    public static func open(_ stored: String, id: String, with sealer: SecretSealer?) throws(HeraldError) -> String {
        guard isSealed(stored) else { return stored }
        guard let sealer else {
            throw .configuration("its secret is sealed, and there is no [tracking] key to open it with")
        }
        guard let data = Data(base64Encoded: String(stored.dropFirst(prefix.count))),
            let box = try? ChaChaPoly.SealedBox(combined: data),
            let plain = try? ChaChaPoly.open(box, using: sealer.key, authenticating: Array(id.utf8)),
            let secret = String(bytes: plain, encoding: .utf8)
        else {
            throw .configuration("its secret was sealed under another [tracking] key (or altered)")
        }
        return secret
    }
}
