import Testing

@testable import HeraldCore

@Suite struct EnqueueEventsTests {
    static let at: Int64 = 1_700_000_000_000

    static func message(actor: String?, sendAt: Int64? = nil) -> Message {
        var m = Message(
            id: "msg_01JAAAAAAAAAAAAAAAAAAAAAAA", idempotencyKey: nil, clientID: nil, template: nil, subject: nil, text: "hi",
            html: nil, data: "{}", locale: nil, priority: .normal, category: .transactional, sendAt: sendAt, expiresAt: nil,
            createdAt: at)
        m.actor = actor
        return m
    }

    static func delivery(_ suffix: String, _ state: DeliveryState, at time: Int64 = at, purpose: String? = nil, resendOf: String? = nil)
        -> Delivery
    {
        var d = Delivery(
            id: "dlv_" + suffix, messageID: "msg_01JAAAAAAAAAAAAAAAAAAAAAAA", channel: "email", destination: "li@x.example",
            state: state, attempts: 0, dueAt: time, expiresAt: nil, lastError: nil, providerID: nil, purpose: purpose,
            createdAt: time, updatedAt: time)
        d.resendOf = resendOf
        return d
    }

    static func event(_ suffix: String, _ type: String, delivery: String?, at time: Int64) -> Event {
        Event(
            id: "evt_" + suffix, messageID: "msg_01JAAAAAAAAAAAAAAAAAAAAAAA", deliveryID: delivery.map { "dlv_" + $0 }, type: type,
            state: DeliveryState(rawValue: type), detail: nil, actor: "dispatcher", createdAt: time)
    }

    @Test func eachDeliveryTheEnqueueMadeGetsItsFirstEventInIdOrder() {
        let deliveries = [
            Self.delivery("01JB0000000000000000000001", .sent),
            Self.delivery("01JB0000000000000000000002", .suppressed),
            Self.delivery("01JB0000000000000000000003", .queued),
            Self.delivery("01JC0000000000000000000004", .queued, at: Self.at + 5_000, purpose: "fallback"),
            Self.delivery("01JD0000000000000000000005", .queued, at: Self.at + 9_000, resendOf: "dlv_01JB0000000000000000000001"),
        ]
        let stored = [
            // Suppressed on the way in: its first event is a stored row, with the reason.
            Self.event("01JB0000000000000000000009", "suppressed", delivery: "01JB0000000000000000000002", at: Self.at),
            Self.event("01JC0000000000000000000001", "sent", delivery: "01JB0000000000000000000001", at: Self.at + 2_000),
        ]
        let merged = EnqueueEvents.merged(stored, message: Self.message(actor: "crm-token"), deliveries: deliveries)
        #expect(merged.map(\.id) == [
            "evt_01JB0000000000000000000001", "evt_01JB0000000000000000000003", "evt_01JB0000000000000000000009",
            "evt_01JC0000000000000000000001",
        ])
        #expect(merged.map(\.type) == ["queued", "queued", "suppressed", "sent"])
        let derived = merged[0]
        #expect(derived.deliveryID == "dlv_01JB0000000000000000000001" && derived.state == .queued)
        #expect(derived.actor == "crm-token" && derived.createdAt == Self.at && derived.detail == nil)
        #expect(derived.messageID == "msg_01JAAAAAAAAAAAAAAAAAAAAAAA")
    }

    @Test func aMessageWaitingForSendAtWasScheduled() {
        let merged = EnqueueEvents.merged(
            [], message: Self.message(actor: "api", sendAt: Self.at + 60_000),
            deliveries: [Self.delivery("01JB0000000000000000000001", .scheduled)])
        #expect(merged.map(\.type) == ["scheduled"] && merged.first?.state == .scheduled)
    }

    @Test func messagesWithoutAnActorAndImportedRowsAreNotDoubled() {
        let deliveries = [Self.delivery("01JB0000000000000000000001", .queued)]
        let stored = [Self.event("01JB0000000000000000000007", "queued", delivery: "01JB0000000000000000000001", at: Self.at)]
        // Stored before messages kept their actor: the rows are the timeline.
        #expect(EnqueueEvents.merged(stored, message: Self.message(actor: nil), deliveries: deliveries) == stored)
        // An actor and the row too (an import of both): the row counts, nothing is added.
        #expect(EnqueueEvents.merged(stored, message: Self.message(actor: "api"), deliveries: deliveries) == stored)
    }

    @Test func onlyQueuedAndScheduledAreLeftToBeDerived() {
        #expect(!EnqueueEvents.stored(.queued) && !EnqueueEvents.stored(.scheduled))
        #expect(EnqueueEvents.stored(.suppressed) && EnqueueEvents.stored(.sent))
        #expect(EnqueueEvents.eventID(for: "dlv_01JB0000000000000000000001") == "evt_01JB0000000000000000000001")
    }
}
