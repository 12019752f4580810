import HeraldCore
import Testing

@Suite struct DispatchWakeTests {
    private func delivery(_ state: DeliveryState, dueAt: Int64) -> Delivery {
        Delivery(
            id: "dlv_1", messageID: "msg_1", channel: "webhook", destination: "https://x.example", state: state,
            attempts: 0, dueAt: dueAt, expiresAt: nil, lastError: nil, providerID: nil, createdAt: 0, updatedAt: 0)
    }

    @Test func workDueBeforeTheNextLookWakesTheDispatcher() {
        let now: Int64 = 1_000_000
        #expect(DispatchWake.needed(for: [delivery(.queued, dueAt: now)], now: now, horizon: 1_000))
        #expect(DispatchWake.needed(for: [delivery(.scheduled, dueAt: now + 1_000)], now: now, horizon: 1_000))
        // Far ahead: found at a regular look, which then sleeps until its due time.
        #expect(!DispatchWake.needed(for: [delivery(.scheduled, dueAt: now + 1_001)], now: now, horizon: 1_000))
        // Nothing to send: a suppressed delivery, or none at all.
        #expect(!DispatchWake.needed(for: [delivery(.suppressed, dueAt: now)], now: now, horizon: 1_000))
        #expect(!DispatchWake.needed(for: [], now: now, horizon: 1_000))
        // One due delivery among later ones is enough.
        #expect(DispatchWake.needed(
            for: [delivery(.scheduled, dueAt: now + 3_600_000), delivery(.queued, dueAt: now)], now: now, horizon: 1_000))
    }
}
