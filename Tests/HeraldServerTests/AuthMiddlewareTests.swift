import HTTPTypes
import HeraldCore
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

@Suite struct RequiredScopeTests {
    /// Every route the daemon serves, with the scope it needs (nil: public or self-signed).
    @Test(arguments: [
        ("POST", "/v1/messages", "send"), ("POST", "/v1/messages/batch", "send"),
        ("POST", "/v1/messages/msg_1/cancel", "send"), ("POST", "/v1/messages/msg_1/resend", "resend"),
        ("POST", "/v1/resend", "resend"), ("POST", "/v1/tasks/tsk_1/complete", "resend"),
        ("GET", "/v1/messages", "read"), ("GET", "/v1/messages/msg_1", "read"), ("HEAD", "/v1/messages", "read"),
        ("GET", "/v1/clients", "read"), ("GET", "/v1/clients/acme/timeline", "read"),
        ("GET", "/v1/stats/templates", "read"), ("GET", "/v1/tasks", "read"), ("GET", "/v1/tasks/tsk_1", "read"),
        ("GET", "/v1/tokens", "admin"), ("GET", "/v1/subscriptions", "admin"), ("GET", "/v1/audit", "admin"),
        ("GET", "/v1/subscriptions/sub_1/dead-letters", "admin"), ("POST", "/v1/subscriptions", "admin"),
        ("POST", "/v1/subscriptions/sub_1/redrive", "admin"), ("DELETE", "/v1/subscriptions/sub_1", "admin"),
        ("PUT", "/v1/clients/acme", "admin"), ("POST", "/v1/admin/reload", "admin"),
        ("POST", "/v1/messages/extra/path/here", "admin"), ("POST", "/v1/messagesx", "admin"),
        ("PATCH", "/v1/messages", "admin"), ("PUT", "/v1/messages", "admin"), ("POST", "/v1", "admin"),
        ("GET", "/healthz", nil), ("GET", "/metrics", nil), ("GET", "/t/c/abc", nil), ("POST", "/u/abc", nil),
        ("POST", "/callbacks/twilio", nil), ("GET", "/dashboard/clients", nil), ("POST", "/v1x/messages", nil),
    ] as [(String, String, String?)])
    func eachRouteNeedsItsScope(method: String, path: String, scope: String?) throws {
        let method = try #require(HTTPRequest.Method(method))
        #expect(AuthMiddleware.requiredScope(method: method, path: path)?.rawValue == scope)
    }
}
