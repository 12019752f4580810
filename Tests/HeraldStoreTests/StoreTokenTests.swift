import HeraldCore
import HeraldStore
import Testing

@Suite struct StoreTokenTests {
    @Test(arguments: StoreBackend.allCases)
    func aTokenKeepsItsExpiryAndItsLastUseOnlyMovesForward(backend: StoreBackend) async throws {
        let (store, cleanup) = try await backend.make()
        defer { cleanup() }
        let now = Timestamps.now()
        let expiring = APIToken(
            id: HeraldID.make(.token), name: "crm", scopes: [.send, .read], prefix: "hrld_AbCd", createdAt: now, revokedAt: nil,
            rateLimit: 50, csm: "wang@herald.example", expiresAt: now + 90 * 86_400_000)
        let lasting = APIToken(
            id: HeraldID.make(.token), name: "ops", scopes: [.admin], prefix: "hrld_EfGh", createdAt: now, revokedAt: nil)
        try await store.createToken(expiring, hash: "hash-crm")
        try await store.createToken(lasting, hash: "hash-ops")

        let read = try #require(try await store.token(hash: "hash-crm"))
        #expect(read == expiring)
        #expect(read.lastUsedAt == nil)
        #expect(try await store.token(hash: "hash-ops")?.expiresAt == nil)

        try await store.recordTokenUse(id: expiring.id, at: now + 120_000)
        #expect(try await store.token(hash: "hash-crm")?.lastUsedAt == now + 120_000)
        // A late writer (another instance, a slow task) never moves the last use back.
        try await store.recordTokenUse(id: expiring.id, at: now + 60_000)
        #expect(try await store.token(hash: "hash-crm")?.lastUsedAt == now + 120_000)
        try await store.recordTokenUse(id: expiring.id, at: now + 180_000)
        #expect(try await store.token(hash: "hash-crm")?.lastUsedAt == now + 180_000)
        // Only that token.
        #expect(try await store.token(hash: "hash-ops")?.lastUsedAt == nil)
        let listed = try await store.tokens()
        #expect(listed.map(\.name) == ["crm", "ops"])
        #expect(listed.first?.expiresAt == expiring.expiresAt && listed.first?.lastUsedAt == now + 180_000)
    }
}
