import HeraldCore
import HeraldStore
import Testing

@Suite struct StoreRedriveTests {
    /// Claims every due delivery of `channel` and records each with the outcome `decide` gives its destination.
    func finish(
        _ store: any Store, channel: String, at now: Int64, _ decide: (String) -> (DeliveryOutcome, DeliveryState)
    ) async throws {
        let claimed = try await store.claim(channel: channel, limit: 100, now: now, leaseUntil: now + 60_000, owner: "w")
        try await store.record(claimed.map { c in
            let (outcome, state) = decide(c.delivery.destination)
            let report = AttemptReport(
                deliveryID: c.delivery.id, messageID: c.message.id, channel: channel, number: c.delivery.attempts,
                startedAt: now, durationMillis: 2, statusCode: 503, outcome: outcome)
            return DeliveryResult(report: report, newState: state, nextDueAt: nil, error: "HTTP 503 (outage)", providerID: nil)
        })
    }

    @Test(arguments: StoreBackend.allCases)
    func deadDeliveriesGetAFreshDeliveryAndWhatMustNotBeSentAgainIsSkipped(backend: StoreBackend) async throws {
        let (store, cleanup) = try await backend.make()
        defer { cleanup() }
        let t0 = Timestamps.now()
        var withFallback = Fixtures.planned(to: [("webhook", "https://a.example/fallback")], now: t0)
        withFallback.deliveries[0].fallback = [FallbackStep(channel: "email", destination: "ops@client.example")]
        let results = try await store.enqueue([
            Fixtures.planned(to: [("webhook", "https://a.example/1")], now: t0),
            Fixtures.planned(to: [("webhook", "https://a.example/2")], now: t0),
            Fixtures.planned(to: [("webhook", "https://a.example/expiring")], expiresAt: t0 + 5_000, now: t0),
            Fixtures.planned(to: [("webhook", "https://a.example/sent")], now: t0),
            Fixtures.planned(to: [("webhook", "https://a.example/refused")], now: t0),
            withFallback,
        ])
        let ids = results.compactMap { Fixtures.created($0)?.1.first?.id }
        #expect(ids.count == 6)
        try await finish(store, channel: "webhook", at: t0 + 1_000) { destination in
            switch destination {
            case "https://a.example/sent": return (.sent(providerID: nil), .sent)
            case "https://a.example/refused": return (.failed(reason: "HTTP 401"), .failed)
            default: return (.retry(after: nil, reason: "HTTP 503"), .dead)
            }
        }
        let later = t0 + 10_000

        // A dry run says what would happen and changes nothing. (Ids made in the same millisecond are
        // not ordered among themselves, so sets are compared; pages go by id.)
        let dry = try await store.redrive(RedriveRequest(channel: "webhook", limit: 100, dryRun: true, actor: "token:ops", now: later))
        #expect(Set(dry.redriven.map(\.deliveryID)) == [ids[0], ids[1]])
        #expect(dry.redriven.allSatisfy { $0.newDeliveryID == nil && $0.state == .dead && $0.lastError == "HTTP 503 (outage)" })
        #expect(Set(dry.skipped.map(\.deliveryID)) == [ids[2], ids[5]])
        #expect(dry.items.map(\.deliveryID) == dry.items.map(\.deliveryID).sorted())
        let expired = try #require(dry.skipped.first { $0.deliveryID == ids[2] })
        #expect(expired.skipped?.hasPrefix("the message expired at ") == true)
        let fellBack = try #require(dry.skipped.first { $0.deliveryID == ids[5] })
        #expect(fellBack.skipped?.hasPrefix("its fallback dlv_") == true && fellBack.skipped?.hasSuffix(" on email took over") == true)
        for item in dry.items { #expect(try await store.message(id: item.messageID)?.deliveries.count == (item.deliveryID == ids[5] ? 2 : 1)) }

        // One page of one, then the rest from its cursor.
        let first = try await store.redrive(
            RedriveRequest(channel: "webhook", limit: 1, actor: "token:ops", reason: "SMTP relay back", now: later))
        #expect(first.items.map(\.deliveryID) == [dry.items[0].deliveryID] && first.nextCursor == dry.items[0].deliveryID)
        let rest = try await store.redrive(
            RedriveRequest(channel: "webhook", after: first.nextCursor, limit: 100, actor: "token:ops", reason: "SMTP relay back", now: later))
        #expect(rest.items.map(\.deliveryID) == dry.items.dropFirst().map(\.deliveryID) && rest.nextCursor == nil)
        let done = first.items + rest.items
        #expect(Set(done.filter { $0.newDeliveryID != nil }.map(\.deliveryID)) == [ids[0], ids[1]])
        let one = try #require(done.first { $0.deliveryID == ids[0] })

        let detail = try #require(try await store.message(id: one.messageID))
        let fresh = try #require(detail.deliveries.first { $0.id == one.newDeliveryID })
        #expect(fresh.state == .queued && fresh.attempts == 0 && fresh.purpose == "redrive" && fresh.dueAt == later)
        #expect(fresh.channel == "webhook" && fresh.destination == "https://a.example/1" && fresh.createdAt == later)
        #expect(detail.deliveries.first { $0.id == ids[0] }?.state == .dead)             // history kept
        let redriven = try #require(detail.events.first { $0.type == "redriven" })
        #expect(redriven.deliveryID == ids[0] && redriven.actor == "token:ops")
        #expect(redriven.detail == "redriven as \(fresh.id): SMTP relay back")
        let queued = try #require(detail.events.last { $0.type == "queued" && $0.deliveryID == fresh.id })
        #expect(queued.detail?.hasPrefix("redrive of \(ids[0]) (dead after 1 attempt: HTTP 503 (outage))") == true)

        // The new delivery is claimed like any other; the old one is not redriven twice.
        let claimed = try await store.claim(channel: "webhook", limit: 100, now: later, leaseUntil: later + 60_000, owner: "w")
        #expect(Set(claimed.map(\.delivery.id)) == Set(done.compactMap(\.newDeliveryID)))
        let again = try await store.redrive(RedriveRequest(channel: "webhook", limit: 100, actor: "token:ops", now: later + 1))
        #expect(again.redriven.isEmpty)
        #expect(Set(again.skipped.filter { $0.skipped?.hasPrefix("already redriven as ") == true }.map(\.deliveryID)) == [ids[0], ids[1]])

        // Failed ones only when asked for, and only within the time window (a delivery gave up when its
        // attempt finished: started + duration, t0 + 1,002).
        let failed = try await store.redrive(RedriveRequest(
            states: [.failed], channel: "webhook", since: t0 + 1_002, until: t0 + 1_003, limit: 100, actor: "ops", now: later))
        #expect(failed.redriven.map(\.deliveryID) == [ids[4]] && failed.redriven[0].state == .failed)
        let outside = try await store.redrive(RedriveRequest(
            states: [.dead, .failed], channel: "webhook", since: t0 + 1_003, limit: 100, actor: "ops", now: later))
        #expect(outside.items.isEmpty)
        #expect(try await store.redrive(RedriveRequest(channel: "email", limit: 100, actor: "ops", now: later)).items.isEmpty)
    }

    @Test(arguments: StoreBackend.allCases)
    func anAddressSuppressedSinceIsNotSentAgain(backend: StoreBackend) async throws {
        let (store, cleanup) = try await backend.make()
        defer { cleanup() }
        let t0 = Timestamps.now()
        _ = try await store.enqueue([
            Fixtures.planned(to: [("email", "gone@client.example")], now: t0),
            Fixtures.planned(to: [("email", "Gone@Client.example")], now: t0),
        ])
        // The first bounces hard (the address is suppressed); the second died in the outage.
        let claimed = try await store.claim(channel: "email", limit: 10, now: t0, leaseUntil: t0 + 60_000, owner: "w")
        try #require(claimed.count == 2)
        try await store.record(claimed.enumerated().map { index, c in
            let outcome: DeliveryOutcome = index == 0 ? .bounced(reason: "550 no such user") : .retry(after: nil, reason: "421")
            let report = AttemptReport(deliveryID: c.delivery.id, messageID: c.message.id, channel: "email", number: 1,
                                       startedAt: t0, durationMillis: 2, statusCode: 550, outcome: outcome)
            return DeliveryResult(report: report, newState: index == 0 ? .failed : .dead, nextDueAt: nil, error: "x", providerID: nil)
        })
        let page = try await store.redrive(RedriveRequest(states: [.dead, .failed], limit: 10, actor: "ops", now: t0 + 1_000))
        #expect(page.redriven.isEmpty)
        #expect(page.skipped.count == 2 && page.skipped.allSatisfy { $0.skipped?.hasPrefix("the address is suppressed") == true })
    }
}

@Suite struct StoreRedriveEscalationTests {
    @Test(arguments: StoreBackend.allCases)
    func aRedrivenDeliveryThatIsOpenedSettlesTheEscalationLikeTheOriginalWould(backend: StoreBackend) async throws {
        let (store, cleanup) = try await backend.make()
        defer { cleanup() }
        let t0 = Timestamps.now()
        var planned = Fixtures.planned(to: [("email", "li@client.example")], now: t0)
        planned.escalation = PlannedEscalation(dueAt: t0 + 60_000, unless: .opened, channel: "phone", destination: "+8613800138000")
        let (message, deliveries) = try #require(Fixtures.created(try await store.enqueue([planned]).first))
        let claimed = try await store.claim(channel: "email", limit: 10, now: t0, leaseUntil: t0 + 60_000, owner: "w")
        try await store.record(claimed.map { c in
            DeliveryResult(
                report: AttemptReport(deliveryID: c.delivery.id, messageID: c.message.id, channel: "email", number: 1,
                                      startedAt: t0, durationMillis: 1, statusCode: 421, outcome: .retry(after: nil, reason: "421")),
                newState: .dead, nextDueAt: nil, error: "421", providerID: nil)
        })
        let page = try await store.redrive(RedriveRequest(limit: 10, actor: "ops", now: t0 + 1_000))
        let fresh = try #require(page.redriven.first?.newDeliveryID)
        #expect(page.redriven.map(\.deliveryID) == [deliveries[0].id])
        for c in try await store.claim(channel: "email", limit: 10, now: t0 + 1_000, leaseUntil: t0 + 60_000, owner: "w") {
            try await store.record([DeliveryResult(
                report: AttemptReport(deliveryID: c.delivery.id, messageID: c.message.id, channel: "email", number: 1,
                                      startedAt: t0 + 1_000, durationMillis: 1, statusCode: 250, outcome: .sent(providerID: nil)),
                newState: .sent, nextDueAt: nil, error: nil, providerID: nil)])
        }
        #expect(try await store.recordEngagement(
            deliveryID: fresh, kind: .open, url: nil, userAgent: "Mozilla/5.0 (X11; Linux x86_64) Thunderbird/128.0", at: t0 + 2_000))
        // Opened through the redrive: the "unless opened" call is not made.
        #expect(try await store.fireEscalations(now: t0 + 61_000, limit: 10) == 0)
        let detail = try #require(try await store.message(id: message.id))
        #expect(detail.events.contains { $0.type == "escalation_skipped" })
        #expect(!detail.deliveries.contains { $0.channel == "phone" })
    }

    @Test(arguments: StoreBackend.allCases)
    func aResendThatIsOpenedSettlesTheEscalation(backend: StoreBackend) async throws {
        // The CSM resent the unopened business review and the client opened the copy: the "call
        // unless opened" timer must not make the CSM call about a message the client has read.
        let (store, cleanup) = try await backend.make()
        defer { cleanup() }
        let t0 = Timestamps.now()
        let planned = Fixtures.escalating(
            to: "li@client.example", dueAt: t0 + 60_000, via: "phone", destination: "+8613800138000", now: t0)
        let (message, deliveries) = try #require(Fixtures.created(try await store.enqueue([planned]).first))
        try await Fixtures.send(store, now: t0)
        let copy = try await store.resend(ResendPlan(
            messageID: message.id,
            items: [.init(id: HeraldID.make(.delivery), source: deliveries[0].id, channel: "email", destination: "li@client.example",
                          dueAt: t0 + 1_000)],
            reason: "not opened", actor: "token:csm", at: t0 + 1_000, maxResends: 2, minInterval: 0))
        try await Fixtures.send(store, now: t0 + 1_000)
        #expect(try await store.recordEngagement(
            deliveryID: try #require(copy.first?.id), kind: .open, url: nil,
            userAgent: "Mozilla/5.0 (X11; Linux x86_64) Thunderbird/128.0", at: t0 + 2_000))
        #expect(try await store.fireEscalations(now: t0 + 61_000, limit: 10) == 0)
        let detail = try #require(try await store.message(id: message.id))
        #expect(detail.events.contains { $0.type == "escalation_skipped" })
        #expect(!detail.deliveries.contains { $0.channel == "phone" })
    }
}
