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
            rateLimit: 50, csm: "wang@herald.example", expiresAt: now + 90 * 86_400_000, createdBy: "cli:ops")
        let lasting = APIToken(
            id: HeraldID.make(.token), name: "ops", scopes: [.admin], prefix: "hrld_EfGh", createdAt: now, revokedAt: nil)
        try await store.createToken(expiring, hash: "hash-crm")
        try await store.createToken(lasting, hash: "hash-ops")

        let read = try #require(try await store.token(hash: "hash-crm"))
        #expect(read == expiring)
        #expect(read.lastUsedAt == nil)
        #expect(try await store.token(hash: "hash-ops")?.expiresAt == nil)
        #expect(read.createdBy == "cli:ops")
        let ops = try await store.token(hash: "hash-ops")
        #expect(ops?.createdBy == nil)

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

extension StoreTokenTests {
    @Test(arguments: StoreBackend.allCases)
    func rotatingATokenKeepsTheOldSecretWorkingUnderAnotherNameUntilTheGraceEnds(backend: StoreBackend) async throws {
        let (store, cleanup) = try await backend.make()
        defer { cleanup() }
        let now = Timestamps.now()
        let original = APIToken(
            id: HeraldID.make(.token), name: "crm", scopes: [.send], prefix: "hrld_AbCd", createdAt: now - 1_000, revokedAt: nil,
            rateLimit: 20, expiresAt: now + 3_600_000)
        try await store.createToken(original, hash: "hash-old")
        var replacement = original
        replacement.id = HeraldID.make(.token)
        replacement.prefix = "hrld_New1"
        replacement.createdAt = now

        // The grace ends before the old expiry: the old secret works until the grace's end.
        let old = try #require(try await store.rotateToken(
            name: "crm", replacement: replacement, hash: "hash-new", retiredName: "crm-retired-1", retiredUntil: now + 60_000))
        #expect(old.id == original.id && old.name == "crm-retired-1" && old.expiresAt == now + 60_000)
        #expect(try await store.token(hash: "hash-old") == old)
        #expect(try await store.token(hash: "hash-new") == replacement)
        #expect(try await store.tokens().map(\.name).sorted() == ["crm", "crm-retired-1"])

        // A grace longer than the old token's own expiry does not extend it.
        var third = replacement
        third.id = HeraldID.make(.token)
        third.expiresAt = now + 30_000
        try await store.createToken(
            APIToken(id: HeraldID.make(.token), name: "short", scopes: [.read], prefix: "hrld_Shrt", createdAt: now, revokedAt: nil,
                     expiresAt: now + 30_000), hash: "hash-short")
        var shortNew = third
        shortNew.name = "short"
        let short = try #require(try await store.rotateToken(
            name: "short", replacement: shortNew, hash: "hash-short-new", retiredName: "short-retired-1", retiredUntil: now + 86_400_000))
        #expect(short.expiresAt == now + 30_000)

        // A retired name already taken: a conflict, and nothing changed.
        var again = replacement
        again.id = HeraldID.make(.token)
        await #expect(throws: HeraldError.self) {
            _ = try await store.rotateToken(
                name: "crm", replacement: again, hash: "hash-again", retiredName: "crm-retired-1", retiredUntil: now)
        }
        #expect(try await store.token(hash: "hash-new")?.name == "crm")
        #expect(try await store.token(hash: "hash-again") == nil)

        // No such active token: revoked, expired or unknown.
        _ = try await store.revokeToken(name: "short", at: now)
        #expect(try await store.rotateToken(
            name: "short", replacement: again, hash: "hash-again", retiredName: "short-retired-2", retiredUntil: now) == nil)
        #expect(try await store.rotateToken(
            name: "nobody", replacement: again, hash: "hash-again", retiredName: "nobody-retired", retiredUntil: now) == nil)
        var later = again
        later.createdAt = now + 60_000   // the retired crm token has expired by then
        #expect(try await store.rotateToken(
            name: "crm-retired-1", replacement: later, hash: "hash-again", retiredName: "x-retired", retiredUntil: now) == nil)
    }
}
