import HeraldCore
import HeraldStore
import Testing

/// What a timeline page reads: several messages at once, and only their call tasks.
@Suite struct StoreTimelinePageTests {
    @Test(arguments: StoreBackend.allCases)
    func messagesAreReadInTheOrderAskedAndUnknownIdsAreLeftOut(backend: StoreBackend) async throws {
        let (store, cleanup) = try await backend.make()
        defer { cleanup() }
        let now = Timestamps.now()
        let made = try await store.enqueue([
            Fixtures.planned(to: [("webhook", "https://a.example/1")], now: now),
            Fixtures.planned(to: [("webhook", "https://a.example/2"), ("email", "li@a.example")], now: now),
        ]).compactMap(Fixtures.created)
        let (first, second) = (made[0].0.id, made[1].0.id)
        let details = try await store.messages(ids: [second, "msg_01JXXXXXXXXXXXXXXXXXXXXXXX", first])
        #expect(details.map(\.message.id) == [second, first])
        #expect(details[0].deliveries.map(\.channel).sorted() == ["email", "webhook"] && details[1].deliveries.count == 1)
        #expect(details[0] == (try await store.message(id: second)))
        #expect(try await store.messages(ids: []).isEmpty)
    }

    @Test(arguments: StoreBackend.allCases)
    func tasksCanBeAskedForByMessage(backend: StoreBackend) async throws {
        let (store, cleanup) = try await backend.make()
        defer { cleanup() }
        let now = Timestamps.now()
        let (_, one) = try await StoreTaskTests.openedCall(store, now: now)
        let (_, two) = try await StoreTaskTests.openedCall(store, now: now + 1)
        let (_, three) = try await StoreTaskTests.openedCall(store, now: now + 2)
        var query = TaskQuery(clientID: "acme", limit: 10)
        query.messageIDs = [one.messageID, three.messageID]
        #expect(try await store.tasks(matching: query).map(\.id) == [one.id, three.id])
        query.messageIDs = [two.messageID]
        #expect(try await store.tasks(matching: query).map(\.id) == [two.id])
        query.messageIDs = []
        #expect(try await store.tasks(matching: query).count == 3)
    }
}
