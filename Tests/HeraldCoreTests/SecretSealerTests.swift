import Foundation
import HeraldCore
import Testing

@Suite struct SecretSealerTests {
    let sealer = SecretSealer(trackingKey: "tk-0123456789abcdef0123456789abcdef")
    let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

    @Test func aSealedSecretOpensOnlyWithItsKeyAndRow() throws {
        let stored = try sealer.seal(secret, id: "sub_1")
        #expect(SecretSealer.isSealed(stored) && stored.hasPrefix("sealed:v1:"))
        #expect(!stored.contains(secret) && !stored.contains(String(secret.dropFirst(6))))
        #expect(try sealer.open(stored, id: "sub_1") == secret)
        #expect(try sealer.seal(secret, id: "sub_1") != stored)                       // a fresh nonce each time
        // Another key, another row, an altered value, no key at all: refused, never a wrong secret.
        let other = SecretSealer(trackingKey: "tk-another-key-of-enough-length")
        #expect(throws: HeraldError.self) { try other.open(stored, id: "sub_1") }
        #expect(throws: HeraldError.self) { try sealer.open(stored, id: "sub_2") }
        var bytes = Array(stored.utf8)
        bytes[bytes.count - 6] = bytes[bytes.count - 6] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        #expect(throws: HeraldError.self) { try sealer.open(String(decoding: bytes, as: UTF8.self), id: "sub_1") }
        #expect(throws: HeraldError.self) { try sealer.open("sealed:v1:not base64!", id: "sub_1") }
        do {
            _ = try SecretSealer.open(stored, id: "sub_1", with: nil)
            Issue.record("opened without a key")
        } catch {
            #expect(error.detail.contains("no [tracking] key"))
        }
    }

    @Test func aSecretStoredBeforeSealingIsReadAsItIs() throws {
        #expect(!SecretSealer.isSealed(secret))
        #expect(try sealer.open(secret, id: "sub_1") == secret)
        #expect(try SecretSealer.open(secret, id: "sub_1", with: nil) == secret)
    }
}
