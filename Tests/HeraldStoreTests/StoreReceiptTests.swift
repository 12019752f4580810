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
        #expect(try await store.recordReceipt(deliveryID: id, providerID: "SM2", channel: "sms", state: .delivered, detail: "x", unreachable: false, at: now) == false)
        #expect(try await store.recordReceipt(deliveryID: id, providerID: "SM1", channel: "other", state: .delivered, detail: "x", unreachable: false, at: now) == false)
        #expect(try await store.recordReceipt(deliveryID: id, providerID: "SM1", channel: "sms", state: .delivered, detail: "ok", unreachable: false, at: now + 1))
        #expect(try await store.recordReceipt(deliveryID: id, providerID: "SM1", channel: "sms", state: .failed, detail: "late", unreachable: false, at: now + 2))
        let detail = try #require(try await store.message(id: claimed.message.id))
        #expect(detail.deliveries[0].state == .delivered && detail.deliveries[0].segments == 2)
        #expect(detail.events.suffix(2).map(\.type) == ["delivered", "failed"])
        #expect(detail.events.last?.state == nil)     // recorded, state kept
    }
    @Test(arguments: StoreBackend.allCases)
    func aReceiptThatTheNumberCannotTakeTextsSuppressesItOnThatChannel(backend: StoreBackend) async throws {
        // Twilio's receipt says 30005 (the number is not in service): the text bounced, its
        // fallback goes on, and later texts on the channel are not tried; calls still go.
        let (store, cleanup) = try await backend.make()
        defer { cleanup() }
        let now = Timestamps.now()
        let number = "+14155550126"
        let texts = try await store.enqueue([
            Fixtures.planned(to: [("sms", number)], now: now), Fixtures.planned(to: [("sms", "+14155550127")], now: now),
        ])
        let claimed = try await store.claim(channel: "sms", limit: 10, now: now, leaseUntil: now + 60_000, owner: "w")
        try #require(claimed.count == 2 && texts.count == 2)
        try await store.record(claimed.map { c in
            let report = AttemptReport(
                deliveryID: c.delivery.id, messageID: c.message.id, channel: "sms", number: 1, startedAt: now,
                durationMillis: 30, statusCode: 201, outcome: .sent(providerID: "SM" + c.delivery.destination))
            return DeliveryResult(report: report, newState: .sent, nextDueAt: nil, error: nil, providerID: "SM" + c.delivery.destination)
        })
        let dead = try #require(claimed.first { $0.delivery.destination == number })
        let other = try #require(claimed.first { $0.delivery.destination != number })
        let reason = "twilio: undelivered (error 30005: unknown destination handset)"
        #expect(try await store.recordReceipt(
            deliveryID: dead.delivery.id, providerID: "SM" + number, channel: "sms", state: .failed, detail: reason, unreachable: true,
            at: now + 1))
        // A late "unreachable" after a receipt said delivered keeps the state and suppresses nothing.
        #expect(try await store.recordReceipt(
            deliveryID: other.delivery.id, providerID: "SM+14155550127", channel: "sms", state: .delivered, detail: "ok",
            unreachable: false, at: now + 1))
        #expect(try await store.recordReceipt(
            deliveryID: other.delivery.id, providerID: "SM+14155550127", channel: "sms", state: .failed, detail: reason,
            unreachable: true, at: now + 2))

        let bounced = try #require(try await store.message(id: dead.message.id))
        #expect(bounced.deliveries.map(\.state) == [.failed] && bounced.events.last?.type == "bounced")
        let entries = try await store.suppressions(matching: SuppressionQuery(source: "bounce"))
        #expect(entries.map(\.address) == [number] && entries.map(\.category) == ["channel:sms"])
        #expect(entries.first?.deliveryID == dead.delivery.id && entries.first?.reason == reason)
        #expect(try await store.message(id: other.message.id)?.deliveries.map(\.state) == [.delivered])

        let later = try #require(Fixtures.created(try await store.enqueue([
            Fixtures.planned(to: [("sms", number), ("phone", number), ("sms", "+14155550127")], now: now + 3),
        ]).first))
        #expect(later.1.map(\.state) == [.suppressed, .queued, .queued])
    }
}
