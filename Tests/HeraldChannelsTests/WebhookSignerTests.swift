import HeraldChannels
import HeraldCore
import Testing

@Suite struct WebhookSignerTests {
    /// The example from the Standard Webhooks specification (also what its reference libraries produce).
    @Test func matchesTheSpecificationVector() throws {
        let signer = try WebhookSigner(secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
        let signature = signer.signature(
            id: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: 1_614_265_330, body: Array(#"{"test": 2432232314}"#.utf8))
        #expect(signature == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
    }

    @Test func signatureCoversIdTimestampAndBody() throws {
        let signer = try WebhookSigner(secret: WebhookSigner.generateSecret())
        let base = signer.signature(id: "dlv_1", timestamp: 100, body: Array("{}".utf8))
        #expect(base != signer.signature(id: "dlv_2", timestamp: 100, body: Array("{}".utf8)))
        #expect(base != signer.signature(id: "dlv_1", timestamp: 101, body: Array("{}".utf8)))
        #expect(base != signer.signature(id: "dlv_1", timestamp: 100, body: Array("{ }".utf8)))
    }

    @Test(arguments: ["secret", "whsec_", "whsec_!!!", "whsec_c2hvcnQ="])
    func rejectsMalformedSecrets(secret: String) {
        #expect(throws: HeraldError.self) { try WebhookSigner(secret: secret) }
    }

    @Test func generatedSecretsAreUsableAndDistinct() throws {
        let a = WebhookSigner.generateSecret()
        #expect(a.hasPrefix("whsec_") && a != WebhookSigner.generateSecret())
        _ = try WebhookSigner(secret: a)
    }
}
