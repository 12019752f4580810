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
        // Attempts and events of their own: every webhook delivery sent once, the first after a retry.
        for (round, number) in [(0, 1), (1, 2)] {
            let claimed = try await store.claim(channel: "webhook", limit: 10, now: now + 1, leaseUntil: now + 60_000, owner: "w")
            try await store.record(claimed.compactMap { c in
                let retry = round == 0 && c.message.id == first
                if round == 1 && c.message.id != first { return nil }
                let report = AttemptReport(
                    deliveryID: c.delivery.id, messageID: c.message.id, channel: "webhook", number: number, startedAt: now + 1,
                    durationMillis: 3, statusCode: retry ? 503 : 204, outcome: retry ? .retry(after: nil, reason: "HTTP 503") : .sent(providerID: nil))
                return DeliveryResult(
                    report: report, newState: retry ? .retrying : .sent, nextDueAt: retry ? now + 1 : nil, error: retry ? "HTTP 503" : nil,
                    providerID: nil)
            })
        }
        let details = try await store.messages(ids: [second, "msg_01JXXXXXXXXXXXXXXXXXXXXXXX", first])
        #expect(details.map(\.message.id) == [second, first])
        #expect(details[0].deliveries.map(\.channel).sorted() == ["email", "webhook"] && details[1].deliveries.count == 1)
        #expect(details[0] == (try await store.message(id: second)))
        #expect(details[1] == (try await store.message(id: first)))
        #expect(details[1].attempts.count == 2 && details[0].attempts.count == 1)
        #expect(details[1].events.map(\.type).contains("retrying") && details[1].deliveries.first?.state == .sent)
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
