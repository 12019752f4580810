import HeraldCore
import HeraldStore
import Testing

@Suite struct StoreReceiptTests {
    @Test(arguments: StoreBackend.allCases)
    func receiptsMoveForwardOnlyAndMustMatchTheProviderID(backend: StoreBackend) async throws {
        let (store, cleanup) = try await backend.make()
        defer { cleanup() }
        let now = Timestamps.now()
        _ = try await store.enqueue([Fixtures.planned(to: [("sms", "+8613800138000")], now: now)])
        let claimed = try #require(try await store.claim(channel: "sms", limit: 1, now: now, leaseUntil: now + 60_000, owner: "w").first)
        let report = AttemptReport(
            deliveryID: claimed.delivery.id, messageID: claimed.message.id, channel: "sms", number: 1, startedAt: now,
            durationMillis: 30, statusCode: 201, outcome: .sent(providerID: "SM1"), segments: 2)
        try await store.record([DeliveryResult(report: report, newState: .sent, nextDueAt: nil, error: nil, providerID: "SM1")])
        let id = claimed.delivery.id
        #expect(try await store.recordReceipt(deliveryID: id, providerID: "SM2", channel: "sms", state: .delivered, detail: "x", at: now) == false)
        #expect(try await store.recordReceipt(deliveryID: id, providerID: "SM1", channel: "other", state: .delivered, detail: "x", at: now) == false)
        #expect(try await store.recordReceipt(deliveryID: id, providerID: "SM1", channel: "sms", state: .delivered, detail: "ok", at: now + 1))
        #expect(try await store.recordReceipt(deliveryID: id, providerID: "SM1", channel: "sms", state: .failed, detail: "late", at: now + 2))
        let detail = try #require(try await store.message(id: claimed.message.id))
        #expect(detail.deliveries[0].state == .delivered && detail.deliveries[0].segments == 2)
        #expect(detail.events.suffix(2).map(\.type) == ["delivered", "failed"])
        #expect(detail.events.last?.state == nil)     // recorded, state kept
    }
}
