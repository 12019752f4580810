import HeraldCore
import Testing

@Suite struct TokenSecretTests {
    /// FIPS 180-2 test vectors, a non-ASCII string's UTF-8, and a secret as `generate` makes them (hex of its SHA-256 as stored).
    @Test func hashIsTheHexSHA256OfTheUTF8() {
        #expect(TokenSecret.hash("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(TokenSecret.hash("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(TokenSecret.hash("\u{E9}") == "4a99557e4033c3539de2eb65472017cad5f9557f7a0625a09f1c3f6e2ba69c4c")
        let secret = TokenSecret.generate()
        #expect(TokenSecret.looksValid(secret))
        #expect(TokenSecret.hash(secret).count == 64)
        #expect(TokenSecret.hash(secret) == TokenSecret.hash(String(decoding: Array(secret.utf8), as: UTF8.self)))
        #expect(TokenSecret.hash(secret) != TokenSecret.hash(TokenSecret.generate()))
    }
}
