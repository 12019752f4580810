import Testing

@testable import HeraldServer

@Suite struct AuthMiddlewareTests {
    @Test func bearerSecretReadsTheSchemeCaseInsensitivelyAndTrimsBlanks() {
        let secret = "hrld_" + String(repeating: "a", count: 43)
        #expect(AuthMiddleware.bearerSecret("Bearer " + secret) == secret)
        #expect(AuthMiddleware.bearerSecret("bEaReR \t " + secret + " \t") == secret)
        #expect(AuthMiddleware.bearerSecret("BEARER " + secret) == secret)
        #expect(AuthMiddleware.bearerSecret("Basic " + secret) == nil)
        #expect(AuthMiddleware.bearerSecret("Bearer") == nil)
        #expect(AuthMiddleware.bearerSecret("Bearer ") == nil)
        #expect(AuthMiddleware.bearerSecret("Bearer\t" + secret) == nil)
        #expect(AuthMiddleware.bearerSecret("Bearerx" + secret) == nil)
        #expect(AuthMiddleware.bearerSecret("Bearer    ") == "")
        #expect(AuthMiddleware.bearerSecret("Bëarer " + secret) == nil)
    }
}
