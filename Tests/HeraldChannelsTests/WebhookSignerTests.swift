import Foundation
import HeraldChannels
import HeraldCore
import Synchronization
import Testing

@Suite struct WebhookSignerTests {
    /// The example from the Standard Webhooks specification (also what its reference libraries produce).
    @Test func matchesTheSpecificationVector() throws {
        let signer = try WebhookSigner(secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
        let signature = signer.signature(
            id: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: 1_614_265_330, body: Array(#"{"test": 2432232314}"#.utf8))
        #expect(signature == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
    }

    /// One signer (its keyed HMAC shared) used by many threads at once and again and again gives
    /// what a fresh signer gives each time: no signature leaves state behind for the next.
    @Test func aSharedSignerAgreesWithFreshOnesAcrossThreads() throws {
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
        let shared = try WebhookSigner(secret: secret)
        let bodies = (0..<64).map { i in Array(String(repeating: "{\"n\": \(i)}", count: i + 1).utf8) }
        let expected = try bodies.enumerated().map { i, body in
            try WebhookSigner(secret: secret).signature(id: "dlv_\(i)", timestamp: 1_700_000_000, body: body)
        }
        let mismatches = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: 8) { thread in
            for round in 0..<50 {
                let i = (thread * 7 + round) % bodies.count
                if shared.signature(id: "dlv_\(i)", timestamp: 1_700_000_000, body: bodies[i]) != expected[i] {
                    mismatches.add(1, ordering: .relaxed)
                }
            }
        }
        #expect(mismatches.load(ordering: .relaxed) == 0)
        #expect(Set(expected).count == bodies.count)
        let vector = shared.signature(
            id: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: 1_614_265_330, body: Array(#"{"test": 2432232314}"#.utf8))
        #expect(vector == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
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
