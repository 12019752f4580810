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
        #expect(t.status(at: 9_999) == .active)
        #expect(t.status(at: 10_000) == .expired)
        #expect(token().allows(.send, at: .max))
    }

    @Test func revokedWinsOverExpiredInTheStatus() {
        let t = token(expiresAt: 10_000, revokedAt: 5_000)
        #expect(t.status(at: 20_000) == .revoked)
        #expect(!t.isActive(at: 6_000))
    }

    @Test func useIsWrittenDownAtMostOnceAMinute() {
        #expect(token().usageIsStale(at: 2_000))
        let used = token(lastUsedAt: 100_000)
        #expect(!used.usageIsStale(at: 100_000 + APIToken.usageResolution - 1))
        #expect(used.usageIsStale(at: 100_000 + APIToken.usageResolution))
    }
}

extension APITokenTests {
    @Test func aFilterFindsTokensByStatusAndThoseNobodyUses() throws {
        let day: Int64 = 86_400_000
        let now = 400 * day
        let neverUsedOld = APIToken(id: "1", name: "a", scopes: [.read], prefix: "p", createdAt: now - 200 * day, revokedAt: nil)
        let neverUsedNew = APIToken(id: "2", name: "b", scopes: [.read], prefix: "p", createdAt: now - 10 * day, revokedAt: nil)
        let usedLongAgo = APIToken(
            id: "3", name: "c", scopes: [.read], prefix: "p", createdAt: now - 300 * day, revokedAt: nil, lastUsedAt: now - 100 * day)
        let usedToday = APIToken(
            id: "4", name: "d", scopes: [.read], prefix: "p", createdAt: now - 300 * day, revokedAt: nil, lastUsedAt: now - 1_000)
        let revoked = APIToken(id: "5", name: "e", scopes: [.read], prefix: "p", createdAt: now - 300 * day, revokedAt: now - day)
        let all = [neverUsedOld, neverUsedNew, usedLongAgo, usedToday, revoked]
        let stale = TokenFilter(status: .active, unusedFor: 90 * day)
        #expect(all.filter { stale.matches($0, now: now) }.map(\.name) == ["a", "c"])
        #expect(all.filter { TokenFilter(status: .revoked).matches($0, now: now) }.map(\.name) == ["e"])
        #expect(all.filter { TokenFilter().matches($0, now: now) }.count == 5)
        // The CLI and the API read a filter the same way; a problem names its field.
        #expect(try TokenFilter.parse(status: "active", unusedFor: "90d") == stale)
        #expect(throws: HeraldError.self) { try TokenFilter.parse(status: "gone", unusedFor: nil) }
        do { _ = try TokenFilter.parse(status: nil, unusedFor: "soon") } catch { #expect(error.fields.map(\.name) == ["unused_for"]) }
    }
}

extension APITokenTests {
    @Test func aRetiredSecretBelongsToTheNameItWasMadeUnder() {
        func lineage(_ name: String) -> String {
            APIToken(id: "1", name: name, scopes: [.read], prefix: "p", createdAt: 0, revokedAt: nil).lineage
        }
        #expect(lineage("crm") == "crm")
        #expect(lineage("crm-retired-20261207-104512") == "crm")
        #expect(lineage("crm-retired-20261207-104512-3") == "crm")
        #expect(lineage("a-retired-x-retired-20261207-104512") == "a-retired-x")
        // Names that only look alike stay themselves.
        #expect(lineage("crm-retired") == "crm-retired")
        #expect(lineage("crm-retired-2026-104512") == "crm-retired-2026-104512")
        #expect(lineage("crm-retired-20261207-104512-") == "crm-retired-20261207-104512-")
        #expect(lineage("crm-retired-20261207-104512-x") == "crm-retired-20261207-104512-x")
    }
}

extension APITokenTests {
    /// Nobody can make a token named like a rotation's retired secret: it would share another
    /// token's rate limit (the limiter counts per lineage).
    @Test func aNewTokenCannotBeNamedLikeARetiredSecret() {
        #expect(TokenRequest.nameProblem("crm-retired-20261207-104512")?.contains("retired by a rotation") == true)
        #expect(TokenRequest.nameProblem("crm-retired-20261207-104512-2") != nil)
        #expect(TokenRequest.nameProblem("crm-retired") == nil && TokenRequest.nameProblem("crm-retired-2026") == nil)
        let body: JSONValue = .object(["name": .string("ops-retired-20261207-104512"), "scopes": .array([.string("read")])])
        #expect(throws: HeraldError.self) { try TokenRequest.parse(body, now: 0) }
    }
}
