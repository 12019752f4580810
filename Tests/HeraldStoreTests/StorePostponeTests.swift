import HeraldCore
import HeraldStore
import Testing

@Suite struct StorePostponeTests {
    @Test(arguments: StoreBackend.allCases)
    func postponedDeliveriesWaitWithoutCountingAnAttempt(backend: StoreBackend) async throws {
        let (store, cleanup) = try await backend.make()
        defer { cleanup() }
        let now = Timestamps.now()
        _ = try await store.enqueue((0..<2).map { _ in Fixtures.planned(to: [("dingtalk", "tok#SECx")], now: now) })
        let claimed = try await store.claim(channel: "dingtalk", limit: 10, now: now, leaseUntil: now + 60_000, owner: "w")
        #expect(claimed.count == 2)
        try await store.postpone([
            Postponement(deliveryID: claimed[0].delivery.id, messageID: claimed[0].message.id, channel: "dingtalk",
                         until: now + 6_000, reason: "rate limit of robot"),
            Postponement(deliveryID: claimed[1].delivery.id, messageID: claimed[1].message.id, channel: "dingtalk",
                         until: now + 6_000, reason: "robot unhealthy; gave up", givesUp: true),
        ], now: now)
        let waiting = try #require(try await store.message(id: claimed[0].message.id))
        #expect(waiting.deliveries[0].state == .queued && waiting.deliveries[0].attempts == 0)
        #expect(waiting.deliveries[0].dueAt == now + 6_000 && waiting.deliveries[0].lastError == "rate limit of robot")
        #expect(waiting.attempts.isEmpty && waiting.events.map(\.type) == ["queued", "postponed"])
        let dead = try #require(try await store.message(id: claimed[1].message.id))
        #expect(dead.deliveries[0].state == .dead && dead.events.last?.type == "dead")
        // Not due before its time; due after.
        #expect(try await store.claim(channel: "dingtalk", limit: 10, now: now + 5_999, leaseUntil: now + 60_000, owner: "w").isEmpty)
        let again = try await store.claim(channel: "dingtalk", limit: 10, now: now + 6_000, leaseUntil: now + 60_000, owner: "w")
        #expect(again.map(\.delivery.id) == [claimed[0].delivery.id] && again[0].attemptNumber == 1)
    }

    @Test(arguments: StoreBackend.allCases)
    func recentSendsAreFoundPerChannelSinceATime(backend: StoreBackend) async throws {
        let (store, cleanup) = try await backend.make()
        defer { cleanup() }
        let now = Timestamps.now()
        _ = try await store.enqueue([
            Fixtures.planned(to: [("wecom", "key-a")], now: now), Fixtures.planned(to: [("webhook", "https://a.example")], now: now),
        ])
        var results: [DeliveryResult] = []
        for channel in ["wecom", "webhook"] {
            let claimed = try await store.claim(channel: channel, limit: 10, now: now, leaseUntil: now + 60_000, owner: "w")
            results += claimed.map { c in
                DeliveryResult(
                    report: AttemptReport(deliveryID: c.delivery.id, messageID: c.message.id, channel: channel, number: 1,
                                          startedAt: now, durationMillis: 40, statusCode: 200, outcome: .sent(providerID: nil)),
                    newState: .sent, nextDueAt: nil, error: nil, providerID: nil)
            }
        }
        try await store.record(results)
        #expect(try await store.recentSends(channel: "wecom", since: now - 60_000)
            == [RecentSend(destination: "key-a", finishedAt: now + 40)])
        // (Other suites move the id clock weeks ahead; a bound a year out is past any of them.)
        #expect(try await store.recentSends(channel: "wecom", since: Timestamps.now() + 400 * 86_400_000).isEmpty)
    }
}
