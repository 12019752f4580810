import HeraldCore
import HeraldStore
import Testing

@Suite struct StoreResendTests {
    func plan(_ message: String, source: String, now: Int64, max: Int = 2, interval: Int64 = 1_000) -> ResendPlan {
        ResendPlan(
            messageID: message,
            items: [.init(id: HeraldID.make(.delivery), source: source, channel: "email", destination: "li@acme.example", dueAt: now)],
            reason: "not opened", actor: "token:csm", at: now, maxResends: max, minInterval: interval)
    }

    @Test(arguments: StoreBackend.allCases)
    func resendsAreLinkedAuditedAndGuarded(backend: StoreBackend) async throws {
        let (store, cleanup) = try await backend.make()
        defer { cleanup() }
        let t0 = Timestamps.now()
        let (message, deliveries) = try #require(Fixtures.created(
            try await store.enqueue([Fixtures.planned(to: [("email", "li@acme.example")], now: t0)]).first))
        // Too early: the interval counts from the original send.
        await #expect(throws: HeraldError.self) { _ = try await store.resend(plan(message.id, source: deliveries[0].id, now: t0 + 10)) }
        let made = try await store.resend(plan(message.id, source: deliveries[0].id, now: t0 + 1_000))
        #expect(made.count == 1 && made[0].resendOf == deliveries[0].id && made[0].state == .queued)
        let detail = try #require(try await store.message(id: message.id))
        #expect(detail.message.resendCount == 1 && detail.message.lastResentAt == t0 + 1_000)
        #expect(detail.deliveries.last?.resendOf == deliveries[0].id && detail.deliveries.last?.purpose == "resend")
        let event = try #require(detail.events.last)
        #expect(event.type == "resent" && event.actor == "token:csm" && event.detail?.contains("not opened") == true)
        // Interval since the last resend, then the maximum.
        await #expect(throws: HeraldError.self) { _ = try await store.resend(plan(message.id, source: deliveries[0].id, now: t0 + 1_500)) }
        _ = try await store.resend(plan(message.id, source: deliveries[0].id, now: t0 + 2_000))
        await #expect(throws: HeraldError.self) { _ = try await store.resend(plan(message.id, source: deliveries[0].id, now: t0 + 9_000)) }
        await #expect(throws: HeraldError.self) { _ = try await store.resend(plan("msg_missing", source: "x", now: t0)) }
    }

    @Test(arguments: StoreBackend.allCases)
    func engagementAndAgeFilters(backend: StoreBackend) async throws {
        let (store, cleanup) = try await backend.make()
        defer { cleanup() }
        let t0 = Timestamps.now()
        let old = try #require(Fixtures.created(try await store.enqueue([Fixtures.planned(to: [("email", "a@x.example")], now: t0)]).first))
        let new = try #require(Fixtures.created(try await store.enqueue([Fixtures.planned(to: [("email", "b@x.example")], now: t0 + 5_000)]).first))
        for id in [old.1[0].id, new.1[0].id] {
            _ = try await store.claim(channel: "email", limit: 10, now: t0 + 6_000, leaseUntil: t0 + 60_000, owner: "w")
            let report = AttemptReport(deliveryID: id, messageID: "", channel: "email", number: 1, startedAt: t0 + 6_000,
                                       durationMillis: 1, statusCode: 250, outcome: .sent(providerID: nil))
            try await store.record([DeliveryResult(report: report, newState: .sent, nextDueAt: nil, error: nil, providerID: nil)])
        }
        #expect(try await store.recordEngagement(deliveryID: new.1[0].id, kind: .open, url: nil, userAgent: "Mozilla/5.0 (X11; Linux x86_64) Thunderbird/128.0", at: t0 + 7_000))
        func ids(_ configure: (inout MessageQuery) -> Void) async throws -> [String] {
            var query = MessageQuery()
            configure(&query)
            return try await store.messages(matching: query).items.map(\.message.id)
        }
        #expect(try await ids { $0.engagement = .unopened } == [old.0.id])
        #expect(try await ids { $0.engagement = .opened } == [new.0.id])
        #expect(try await ids { $0.engagement = .clicked }.isEmpty)
        #expect(try await ids { $0.before = t0 + 1_000 } == [old.0.id])
    }
}
