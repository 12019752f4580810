import HeraldCore
import HeraldStore
import Testing

@Suite struct StoreBacklogTests {
    /// Claims up to `limit` due deliveries of `channel` and records the first `record` of them as `state`.
    private func settle(
        _ store: any Store, _ channel: String, limit: Int, record: Int, as state: DeliveryState, now: Int64
    ) async throws {
        let claimed = try await store.claim(channel: channel, limit: limit, now: now, leaseUntil: now + 60_000, owner: "w")
        #expect(claimed.count == limit)
        try await store.record(claimed.prefix(record).map { c in
            let outcome: DeliveryOutcome = state == .sent ? .sent(providerID: nil) : .failed(reason: "HTTP 410")
            let report = AttemptReport(
                deliveryID: c.delivery.id, messageID: c.message.id, channel: channel, number: 1, startedAt: now,
                durationMillis: 1, statusCode: state == .sent ? 204 : 410, outcome: outcome)
            return DeliveryResult(report: report, newState: state, nextDueAt: nil, error: nil, providerID: nil)
        })
    }

    @Test(arguments: StoreBackend.allCases)
    func eachChannelsWaitingSendingAndGivenUpAreCountedWithTheOldestDueTime(backend: StoreBackend) async throws {
        let (store, cleanup) = try await backend.make()
        defer { cleanup() }
        #expect(try await store.backlog().isEmpty)
        let t0 = Timestamps.now()
        var planned = (0..<4).map { i in Fixtures.planned(to: [("webhook", "https://a.example/\(i)")], now: t0 - 1_000 * Int64(i)) }
        planned.append(Fixtures.planned(to: [("email", "li@a.example")], sendAt: t0 + 3_600_000, now: t0))
        planned.append(Fixtures.planned(to: [("email", "wu@a.example")], now: t0))
        planned.append(Fixtures.planned(to: [("sms", "+8613800138000")], now: t0))
        _ = try await store.enqueue(planned)
        // webhook: two claimed, one of them dead; email: the due one failed; sms: sent (not a backlog).
        try await settle(store, "webhook", limit: 2, record: 1, as: .dead, now: t0)
        try await settle(store, "email", limit: 1, record: 1, as: .failed, now: t0)
        try await settle(store, "sms", limit: 1, record: 1, as: .sent, now: t0)

        let backlog = try await store.backlog()
        #expect(backlog.map(\.channel) == ["email", "webhook"])
        #expect(backlog[0] == ChannelBacklog(channel: "email", counts: [.scheduled: 1, .failed: 1], oldestDueAt: t0 + 3_600_000))
        let webhook = backlog[1]
        #expect(webhook.counts == [.queued: 2, .sending: 1, .dead: 1])
        #expect(webhook.oldestSendingSince == t0 && backlog[0].oldestSendingSince == nil)   // claimed at t0; email has none
        // The claim takes the longest-due first, so the two left waiting are the newest two.
        #expect(webhook.oldestDueAt == t0 - 1_000)
    }
}
