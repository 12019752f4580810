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
        // Each old message stores one event (a skipped route); their `queued` events are derived.
        _ = try await store.enqueue((0..<5).map { _ in
            var planned = Fixtures.planned(now: old)
            planned.skipped = ["sms: no phone number"]
            return planned
        })
        let recent = try await store.enqueue([Fixtures.planned(now: now)])
        let (recentMessage, _) = try #require(Fixtures.created(recent.first))
        // 5 old events; batches of 2 take three rounds, then nothing is left to purge.
        #expect(try await store.purgeHistory(before: now - 1_000, limit: 2) == 2)
        #expect(try await store.purgeHistory(before: now - 1_000, limit: 2) == 2)
        #expect(try await store.purgeHistory(before: now - 1_000, limit: 2) == 1)
        #expect(try await store.purgeHistory(before: now - 1_000, limit: 2) == 0)
        let kept = try #require(try await store.message(id: recentMessage.id))
        #expect(kept.events.map(\.type) == ["queued"])
        // An old message's timeline lost its stored event, not the one derived from its rows.
        let oldMessage = try #require(
            try await store.messages(matching: MessageQuery(limit: 100)).items.first { $0.message.createdAt == old })
        #expect(try await store.message(id: oldMessage.message.id)?.events.map(\.type) == ["queued"])
        // Messages and deliveries themselves stay.
        #expect(try await store.messages(matching: MessageQuery(limit: 100)).items.count == 6)
    }
}
