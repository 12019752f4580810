import HeraldCore
import Testing

@Suite struct APITokenTests {
    private func token(expiresAt: Int64? = nil, revokedAt: Int64? = nil, lastUsedAt: Int64? = nil) -> APIToken {
        APIToken(
            id: "tok_1", name: "crm", scopes: [.send], prefix: "hrld_AbCd", createdAt: 1_000, revokedAt: revokedAt,
            expiresAt: expiresAt, lastUsedAt: lastUsedAt)
    }

    @Test func anExpiredTokenGrantsNothingFromItsExpiryOn() {
        let t = token(expiresAt: 10_000)
        #expect(t.allows(.send, at: 9_999))
        #expect(!t.allows(.send, at: 10_000))
        #expect(!t.allows(.read, at: 9_999))
        #expect(t.status(at: 9_999) == "active")
        #expect(t.status(at: 10_000) == "expired")
        #expect(token().allows(.send, at: .max))
    }

    @Test func revokedWinsOverExpiredInTheStatus() {
        let t = token(expiresAt: 10_000, revokedAt: 5_000)
        #expect(t.status(at: 20_000) == "revoked")
        #expect(!t.isActive(at: 6_000))
    }

    @Test func useIsWrittenDownAtMostOnceAMinute() {
        #expect(token().usageIsStale(at: 2_000))
        let used = token(lastUsedAt: 100_000)
        #expect(!used.usageIsStale(at: 100_000 + APIToken.usageResolution - 1))
        #expect(used.usageIsStale(at: 100_000 + APIToken.usageResolution))
    }
}
