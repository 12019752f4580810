import HeraldCore
import HeraldStore
import Testing

/// Opens and clicks that arrive while the send is still being recorded: the provider has the
/// message (a fast reader, or a writer with a backlog), the delivery is still `sending`.
@Suite struct StoreEngagementTests {
    static let email = [("email", "lin@xinghe.example")]
    static let browser = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15"

    /// Enqueues one email with an "unless opened" escalation due at `now + 1000`, claims it and
    /// returns the claim, still `sending`.
    private func sending(_ store: any Store, now: Int64) async throws -> ClaimedDelivery {
        var planned = Fixtures.planned(to: Self.email, now: now)
        planned.message.template = "ebr"
        planned.escalation = PlannedEscalation(dueAt: now + 1_000, unless: .opened, channel: "webhook", destination: "https://crm.example/hook")
        _ = try await store.enqueue([planned])
        return try #require(try await store.claim(channel: "email", limit: 1, now: now, leaseUntil: now + 60_000, owner: "w").first)
    }

    private func recordSent(_ store: any Store, _ claimed: ClaimedDelivery, at now: Int64) async throws {
        let report = AttemptReport(
            deliveryID: claimed.delivery.id, messageID: claimed.message.id, channel: "email", number: 1, startedAt: now,
            durationMillis: 5, statusCode: 250, outcome: .sent(providerID: nil))
        try await store.record([DeliveryResult(report: report, newState: .sent, nextDueAt: nil, error: nil, providerID: nil)])
    }

    @Test(arguments: StoreBackend.allCases)
    func anOpenBeforeTheSendIsRecordedMakesTheDeliveryOpenedAndStopsTheEscalation(backend: StoreBackend) async throws {
        let (store, cleanup) = try await backend.make()
        defer { cleanup() }
        let now = Timestamps.now()
        let claimed = try await sending(store, now: now)
        #expect(try await store.recordEngagement(deliveryID: claimed.delivery.id, kind: .open, url: nil, userAgent: Self.browser, at: now + 3))
        #expect(try await store.message(id: claimed.message.id)?.deliveries[0].state == .sending)   // not before the send
        try await recordSent(store, claimed, at: now)

        let detail = try #require(try await store.message(id: claimed.message.id))
        #expect(detail.deliveries[0].state == .opened)
        let trail = detail.events.filter { $0.deliveryID == claimed.delivery.id }.suffix(3).map { "\($0.type)/\($0.state?.rawValue ?? "-")/\($0.actor ?? "-")" }
        #expect(trail == ["opened/-/recipient", "sent/sent/dispatcher", "opened/opened/dispatcher"])
        // Stats count the person's open once, not the dispatcher's catch-up event.
        let stats = try await store.templateStats(since: now - 1_000, until: now + 86_400_000, defaultLocale: "en")
        #expect(stats.map(\.opened).reduce(0, +) == 1)

        #expect(try await store.fireEscalations(now: now + 1_000, limit: 10) == 0)
        let settled = try #require(try await store.message(id: claimed.message.id))
        #expect(settled.events.contains { $0.type == "escalation_skipped" })
        #expect(!settled.events.contains { $0.type == "escalated" })
    }

    @Test(arguments: StoreBackend.allCases)
    func anEarlyOpenTravelsWithAnExport(backend: StoreBackend) async throws {
        // A delivery caught mid-send by `herald export`: its early open must still apply to the
        // outcome recorded in the imported copy.
        let (store, cleanup) = try await backend.make()
        defer { cleanup() }
        let (copy, cleanupCopy) = try await backend.make()
        defer { cleanupCopy() }
        let now = Timestamps.now()
        let claimed = try await sending(store, now: now)
        #expect(try await store.recordEngagement(deliveryID: claimed.delivery.id, kind: .click, url: "https://docs.example/a", userAgent: Self.browser, at: now + 1))
        try await StoreCopy.everyTable(from: store, to: copy)
        #expect(try await copy.message(id: claimed.message.id)?.deliveries[0].state == .sending)
        try await recordSent(copy, claimed, at: now)
        #expect(try await copy.message(id: claimed.message.id)?.deliveries[0].state == .clicked)
        #expect(try await copy.fireEscalations(now: now + 1_000, limit: 10) == 0)
    }

    @Test(arguments: StoreBackend.allCases)
    func aClickWinsOverALaterOpenAndMachinesDoNotCount(backend: StoreBackend) async throws {
        let (store, cleanup) = try await backend.make()
        defer { cleanup() }
        let now = Timestamps.now()
        let clicked = try await sending(store, now: now)
        _ = try await store.recordEngagement(deliveryID: clicked.delivery.id, kind: .click, url: "https://docs.example/a", userAgent: Self.browser, at: now + 1)
        _ = try await store.recordEngagement(deliveryID: clicked.delivery.id, kind: .open, url: nil, userAgent: Self.browser, at: now + 2)
        try await recordSent(store, clicked, at: now)
        #expect(try await store.message(id: clicked.message.id)?.deliveries[0].state == .clicked)

        // A link scanner's or a privacy proxy's fetch is on record but moves nothing, early or not.
        let scanned = try await sending(store, now: now + 10)
        _ = try await store.recordEngagement(deliveryID: scanned.delivery.id, kind: .open, url: nil, userAgent: "Mozilla/5.0", at: now + 11)
        try await recordSent(store, scanned, at: now + 10)
        #expect(try await store.message(id: scanned.message.id)?.deliveries[0].state == .sent)
        #expect(try await store.fireEscalations(now: now + 1_010, limit: 10) == 1)   // the scanned one escalates
    }

    @Test(arguments: StoreBackend.allCases)
    func anEarlyOpenWaitsForASuccessfulSend(backend: StoreBackend) async throws {
        let (store, cleanup) = try await backend.make()
        defer { cleanup() }
        let now = Timestamps.now()
        let claimed = try await sending(store, now: now)
        _ = try await store.recordEngagement(deliveryID: claimed.delivery.id, kind: .open, url: nil, userAgent: Self.browser, at: now + 1)
        let report = AttemptReport(
            deliveryID: claimed.delivery.id, messageID: claimed.message.id, channel: "email", number: 1, startedAt: now,
            durationMillis: 5, statusCode: 451, outcome: .retry(after: nil, reason: "451 try later"))
        try await store.record([DeliveryResult(report: report, newState: .retrying, nextDueAt: now + 100, error: "451 try later", providerID: nil)])
        #expect(try await store.message(id: claimed.message.id)?.deliveries[0].state == .retrying)
        let again = try #require(try await store.claim(channel: "email", limit: 1, now: now + 100, leaseUntil: now + 60_000, owner: "w").first)
        try await recordSent(store, again, at: now + 100)
        #expect(try await store.message(id: claimed.message.id)?.deliveries[0].state == .opened)
    }
}
