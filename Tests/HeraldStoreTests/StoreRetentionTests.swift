import HeraldCore
import HeraldStore
import Testing

@Suite struct StoreRetentionTests {
    @Test(arguments: StoreBackend.allCases)
    func purgesOnlyOldHistoryInBatches(backend: StoreBackend) async throws {
        let (store, cleanup) = try await backend.make()
        defer { cleanup() }
        let old: Int64 = 1_000_000
        let now = Timestamps.now()
        _ = try await store.enqueue((0..<5).map { _ in Fixtures.planned(now: old) })
        let recent = try await store.enqueue([Fixtures.planned(now: now)])
        let (recentMessage, _) = try #require(Fixtures.created(recent.first))
        // 5 old events; batches of 2 take three rounds, then nothing is left to purge.
        #expect(try await store.purgeHistory(before: now - 1_000, limit: 2) == 2)
        #expect(try await store.purgeHistory(before: now - 1_000, limit: 2) == 2)
        #expect(try await store.purgeHistory(before: now - 1_000, limit: 2) == 1)
        #expect(try await store.purgeHistory(before: now - 1_000, limit: 2) == 0)
        let kept = try #require(try await store.message(id: recentMessage.id))
        #expect(kept.events.count == 1)
        // Messages and deliveries themselves stay.
        #expect(try await store.messages(matching: MessageQuery(limit: 100)).items.count == 6)
    }
}
