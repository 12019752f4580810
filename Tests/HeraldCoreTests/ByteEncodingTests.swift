import Crypto
import Foundation
import HeraldCore
import Testing

@Suite struct ByteEncodingTests {
    @Test func hexOfAKnownDigest() {
        // SHA-256("abc"), FIPS 180-2 appendix B.1.
        #expect(ByteEncoding.hex(SHA256.hash(data: Data("abc".utf8)))
            == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(ByteEncoding.hex([0x00, 0x0f, 0xf0, 0xff]) == "000ff0ff")
    }

    @Test(arguments: [[UInt8](), [0xfb], [0xfb, 0xff], [0xfb, 0xff, 0xbf], Array(0...255)])
    func base64urlRoundTripsWithoutPaddingOrUnsafeCharacters(bytes: [UInt8]) {
        let text = ByteEncoding.base64url(bytes)
        #expect(!text.contains("=") && !text.contains("+") && !text.contains("/"))
        #expect(ByteEncoding.fromBase64url(text) == bytes)
    }

    @Test(arguments: ["a+b", "a/b", "ab==", "ab c", "ü"])
    func rejectsNonBase64url(text: String) {
        #expect(ByteEncoding.fromBase64url(text) == nil)
    }
}
