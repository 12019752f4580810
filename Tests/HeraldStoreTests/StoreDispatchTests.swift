import HeraldCore
import HeraldStore
import Testing

@Suite struct StoreDispatchTests {
    func report(_ claimed: ClaimedDelivery, _ outcome: DeliveryOutcome, at now: Int64) -> AttemptReport {
        AttemptReport(
            deliveryID: claimed.delivery.id, messageID: claimed.message.id, channel: claimed.delivery.channel,
            number: claimed.attemptNumber, startedAt: now, durationMillis: 5, statusCode: 503, outcome: outcome)
    }

    @Test(arguments: StoreBackend.allCases)
    func claimLeasesOnlyDueWorkOfTheChannel(backend: StoreBackend) async throws {
        let (store, cleanup) = try await backend.make()
        defer { cleanup() }
        let now = Timestamps.now()
        _ = try await store.enqueue([
            Fixtures.planned(to: [("webhook", "https://a.example")], now: now),
            Fixtures.planned(to: [("crm", "https://b.example")], now: now),
        ])
        let claimed = try await store.claim(channel: "webhook", limit: 10, now: now, leaseUntil: now + 10_000, owner: "w1")
        #expect(claimed.count == 1)
        #expect(claimed[0].delivery.state == .sending && claimed[0].attemptNumber == 1)
        #expect(claimed[0].message.text == "hello")
        // Leased: nobody else gets it until the lease runs out.
        #expect(try await store.claim(channel: "webhook", limit: 10, now: now + 1, leaseUntil: now + 10_000, owner: "w2").isEmpty)
        #expect(try await store.nextDueTime(channels: ["webhook"]) == now + 10_000)
    }

    @Test(arguments: StoreBackend.allCases)
    func expiredLeaseIsReclaimedWithAnEvent(backend: StoreBackend) async throws {
        let (store, cleanup) = try await backend.make()
        defer { cleanup() }
        let now = Timestamps.now()
        _ = try await store.enqueue([Fixtures.planned(now: now)])
        let first = try await store.claim(channel: "webhook", limit: 10, now: now, leaseUntil: now + 1_000, owner: "crashed")
        let again = try await store.claim(channel: "webhook", limit: 10, now: now + 1_000, leaseUntil: now + 5_000, owner: "w2")
        #expect(again.map(\.delivery.id) == first.map(\.delivery.id))
        #expect(again[0].attemptNumber == 2)
        let detail = try #require(try await store.message(id: first[0].message.id))
        #expect(detail.events.map(\.type) == ["queued", "reclaimed"])
    }

    @Test(arguments: StoreBackend.allCases)
    func renewedLeasesAreNotTakenOverAndOthersAre(backend: StoreBackend) async throws {
        let (store, cleanup) = try await backend.make()
        defer { cleanup() }
        let now = Timestamps.now()
        _ = try await store.enqueue((0..<3).map { _ in Fixtures.planned(now: now) })
        let claimed = try await store.claim(channel: "webhook", limit: 10, now: now, leaseUntil: now + 1_000, owner: "w1")
        #expect(claimed.count == 3)
        let kept = claimed.prefix(2).map(\.delivery.id)
        // Only the owner renews; a delivery it no longer holds is not counted.
        #expect(try await store.renewLeases(deliveryIDs: kept, owner: "w2", until: now + 60_000) == 0)
        #expect(try await store.renewLeases(deliveryIDs: kept + ["dlv_unknown"], owner: "w1", until: now + 60_000) == 2)
        let taken = try await store.claim(channel: "webhook", limit: 10, now: now + 1_000, leaseUntil: now + 5_000, owner: "w2")
        #expect(taken.map(\.delivery.id) == [claimed[2].delivery.id])
        #expect(try await store.nextDueTime(channels: ["webhook"]) == now + 5_000)
    }

    @Test(arguments: StoreBackend.allCases)
    func recordWritesAttemptStateAndEventTogether(backend: StoreBackend) async throws {
        let (store, cleanup) = try await backend.make()
        defer { cleanup() }
        let now = Timestamps.now()
        _ = try await store.enqueue((0..<4).map { _ in Fixtures.planned(now: now) })
        let claimed = try await store.claim(channel: "webhook", limit: 10, now: now, leaseUntil: now + 60_000, owner: "w")
        #expect(claimed.count == 4)
        let results = [
            DeliveryResult(report: report(claimed[0], .sent(providerID: "p-1"), at: now), newState: .sent, nextDueAt: nil, error: nil, providerID: "p-1"),
            DeliveryResult(report: report(claimed[1], .retry(after: nil, reason: "HTTP 503"), at: now), newState: .retrying, nextDueAt: now + 5_000, error: "HTTP 503", providerID: nil),
            DeliveryResult(report: report(claimed[2], .failed(reason: "HTTP 400"), at: now), newState: .failed, nextDueAt: nil, error: "HTTP 400", providerID: nil),
            DeliveryResult(report: report(claimed[3], .retry(after: nil, reason: "timeout"), at: now), newState: .dead, nextDueAt: nil, error: "timeout; gave up", providerID: nil),
        ]
        try await store.record(results)
        let expected: [DeliveryState] = [.sent, .retrying, .failed, .dead]
        for (claim, state) in zip(claimed, expected) {
            let detail = try #require(try await store.message(id: claim.message.id))
            #expect(detail.deliveries[0].state == state)
            #expect(detail.attempts.count == 1 && detail.attempts[0].durationMillis == 5 && detail.attempts[0].statusCode == 503)
            #expect(detail.events.last?.type == state.rawValue)
        }
        let depth = try await store.queueDepth()
        #expect(depth[.sent] == 1 && depth[.retrying] == 1 && depth[.failed] == 1 && depth[.dead] == 1)
        // The retry becomes claimable at its due time, not before.
        #expect(try await store.claim(channel: "webhook", limit: 10, now: now + 4_999, leaseUntil: now + 70_000, owner: "w").isEmpty)
        let retry = try await store.claim(channel: "webhook", limit: 10, now: now + 5_000, leaseUntil: now + 70_000, owner: "w")
        #expect(retry.map(\.delivery.id) == [claimed[1].delivery.id])
        #expect(retry[0].attemptNumber == 2)
    }

    @Test(arguments: StoreBackend.allCases)
    func resultForADeliveryNoLongerLeasedKeepsTheAttemptButNotTheState(backend: StoreBackend) async throws {
        let (store, cleanup) = try await backend.make()
        defer { cleanup() }
        let now = Timestamps.now()
        _ = try await store.enqueue([Fixtures.planned(now: now)])
        let claimed = try await store.claim(channel: "webhook", limit: 1, now: now, leaseUntil: now + 60_000, owner: "w")
        try await store.record([DeliveryResult(report: report(claimed[0], .sent(providerID: nil), at: now), newState: .sent, nextDueAt: nil, error: nil, providerID: nil)])
        // A late duplicate result (e.g. from a worker whose lease was taken over) must not move it again.
        try await store.record([DeliveryResult(report: report(claimed[0], .failed(reason: "late"), at: now), newState: .failed, nextDueAt: nil, error: "late", providerID: nil)])
        let detail = try #require(try await store.message(id: claimed[0].message.id))
        #expect(detail.deliveries[0].state == .sent)
        #expect(detail.attempts.count == 2)
        #expect(detail.events.map(\.type) == ["queued", "sent"])
    }

    @Test(arguments: StoreBackend.allCases)
    func releaseReturnsUnstartedWorkToTheQueue(backend: StoreBackend) async throws {
        let (store, cleanup) = try await backend.make()
        defer { cleanup() }
        let now = Timestamps.now()
        _ = try await store.enqueue([Fixtures.planned(now: now)])
        let claimed = try await store.claim(channel: "webhook", limit: 1, now: now, leaseUntil: now + 60_000, owner: "w")
        try await store.release(deliveryIDs: claimed.map(\.delivery.id), now: now)
        let detail = try #require(try await store.message(id: claimed[0].message.id))
        #expect(detail.deliveries[0].state == .queued && detail.deliveries[0].attempts == 0)
        #expect(detail.events.map(\.type) == ["queued", "released"])
        #expect(try await store.claim(channel: "webhook", limit: 1, now: now, leaseUntil: now + 60_000, owner: "w").count == 1)
    }

    @Test(arguments: StoreBackend.allCases)
    func expiredDeliveriesAreNeitherClaimedNorLeftQueued(backend: StoreBackend) async throws {
        let (store, cleanup) = try await backend.make()
        defer { cleanup() }
        let now = Timestamps.now()
        let r = try await store.enqueue([Fixtures.planned(sendAt: now + 1_000, expiresAt: now + 2_000, now: now)])
        let (message, _) = try #require(Fixtures.created(r.first))
        #expect(try await store.claim(channel: "webhook", limit: 1, now: now + 2_000, leaseUntil: now + 9_000, owner: "w").isEmpty)
        #expect(try await store.expireDue(now: now + 2_000, limit: 100) == 1)
        let detail = try #require(try await store.message(id: message.id))
        #expect(detail.deliveries[0].state == .expired)
        #expect(detail.events.map(\.type) == ["scheduled", "expired"])
        #expect(try await store.expireDue(now: now + 3_000, limit: 100) == 0)
    }

    @Test(arguments: StoreBackend.allCases)
    func cancelStopsOnlyUnstartedDeliveries(backend: StoreBackend) async throws {
        let (store, cleanup) = try await backend.make()
        defer { cleanup() }
        let now = Timestamps.now()
        let r = try await store.enqueue([Fixtures.planned(to: [("webhook", "https://a.example"), ("crm", "https://b.example")], now: now)])
        let (message, _) = try #require(Fixtures.created(r.first))
        let leased = try await store.claim(channel: "webhook", limit: 1, now: now, leaseUntil: now + 60_000, owner: "w")
        let result = try await store.cancel(messageID: message.id, actor: "ops", now: now)
        #expect(result.cancelled.count == 1)
        let states = Dictionary(uniqueKeysWithValues: result.detail.deliveries.map { ($0.channel, $0.state) })
        #expect(states == ["webhook": .sending, "crm": .cancelled])
        #expect(result.detail.events.contains { $0.type == "cancelled" && $0.actor == "ops" })
        #expect(leased.count == 1)
        await #expect {
            _ = try await store.cancel(messageID: message.id, actor: "ops", now: now)
        } throws: { ($0 as? HeraldError)?.kind == .conflict }
        await #expect {
            _ = try await store.cancel(messageID: HeraldID.make(.message), actor: "ops", now: now)
        } throws: { ($0 as? HeraldError)?.kind == .notFound }
    }

    @Test(arguments: StoreBackend.allCases)
    func cancelStopsThePendingEscalationSoNoCallFollowsACancelledMessage(backend: StoreBackend) async throws {
        // The escalation ("call the CSM unless opened in 48 h") would otherwise fire for a message its
        // sender stopped: its deliveries are cancelled, so none was ever opened.
        let (store, cleanup) = try await backend.make()
        defer { cleanup() }
        let now = Timestamps.now()
        let planned = Fixtures.escalating(dueAt: now + 1_000, now: now)
        let (message, _) = try #require(Fixtures.created(try await store.enqueue([planned]).first))
        let result = try await store.cancel(messageID: message.id, actor: "ops", now: now + 10)
        #expect(result.cancelled.count == 1)
        #expect(result.escalationsCancelled == 1)
        #expect(result.detail.events.contains { $0.type == "escalation_cancelled" && $0.actor == "ops" })
        #expect(try await store.nextDueTime(channels: ["email", "webhook"]) == nil)
        #expect(try await store.fireEscalations(now: now + 5_000, limit: 10) == 0)
        let detail = try #require(try await store.message(id: message.id))
        #expect(detail.deliveries.map(\.state) == [.cancelled])
        #expect(!detail.events.contains { $0.type == "escalated" })
    }

    @Test(arguments: StoreBackend.allCases)
    func cancelAfterTheSendStillStopsThePendingEscalation(backend: StoreBackend) async throws {
        // Every delivery has gone out, but the escalation has not fired: it is what is left to cancel.
        let (store, cleanup) = try await backend.make()
        defer { cleanup() }
        let now = Timestamps.now()
        let (message, _) = try #require(Fixtures.created(try await store.enqueue([Fixtures.escalating(dueAt: now + 1_000, now: now)]).first))
        #expect(try await Fixtures.send(store, now: now).count == 1)

        let result = try await store.cancel(messageID: message.id, actor: "ops", now: now + 10)
        #expect(result.cancelled.isEmpty)
        #expect(result.escalationsCancelled == 1)
        #expect(result.detail.deliveries.map(\.state) == [.sent])
        #expect(try await store.fireEscalations(now: now + 5_000, limit: 10) == 0)
        // Nothing is left now: a second cancel is a conflict, as before.
        await #expect {
            _ = try await store.cancel(messageID: message.id, actor: "ops", now: now + 20)
        } throws: { ($0 as? HeraldError)?.kind == .conflict }
    }
}

@Suite struct StoreOutcomeConsequenceTests {
    @Test(arguments: StoreBackend.allCases)
    func aBounceSuppressesTheAddressAndAFailureStartsTheFallbackInTheSameBatch(backend: StoreBackend) async throws {
        let (store, cleanup) = try await backend.make()
        defer { cleanup() }
        let now = Timestamps.now()
        var withFallback = Fixtures.planned(to: [("webhook", "https://crm.example/hook")], now: now)
        withFallback.deliveries[0].fallback = [FallbackStep(channel: "email", destination: "ops@client.example")]
        _ = try await store.enqueue([Fixtures.planned(to: [("email", "Gone@Client.example")], now: now), withFallback])
        var claimed = try await store.claim(channel: "email", limit: 10, now: now, leaseUntil: now + 60_000, owner: "w")
        claimed += try await store.claim(channel: "webhook", limit: 10, now: now, leaseUntil: now + 60_000, owner: "w")
        #expect(claimed.count == 2)
        func report(_ c: ClaimedDelivery, _ outcome: DeliveryOutcome) -> AttemptReport {
            AttemptReport(deliveryID: c.delivery.id, messageID: c.message.id, channel: c.delivery.channel, number: 1,
                          startedAt: now, durationMillis: 3, statusCode: 550, outcome: outcome)
        }
        try await store.record([
            DeliveryResult(report: report(claimed[0], .bounced(reason: "550 no such user")), newState: .failed, nextDueAt: nil,
                           error: "550 no such user", providerID: nil),
            DeliveryResult(report: report(claimed[1], .failed(reason: "HTTP 410")), newState: .failed, nextDueAt: nil,
                           error: "HTTP 410", providerID: nil),
        ])
        let bounced = try #require(try await store.message(id: claimed[0].message.id))
        #expect(bounced.events.map(\.type) == ["queued", "bounced"])
        #expect(bounced.attempts.map(\.outcome) == ["bounced"])
        // The address (any case) is suppressed for every later message.
        let later = try #require(Fixtures.created(try await store.enqueue([
            Fixtures.planned(to: [("email", "gone@client.example")], now: now + 1)]).first))
        #expect(later.1[0].state == .suppressed)
        // The webhook failure queued its fallback on email, with its event, in the same transaction.
        let failed = try #require(try await store.message(id: claimed[1].message.id))
        #expect(failed.deliveries.map(\.channel) == ["webhook", "email"])
        #expect(failed.deliveries[1].state == .queued && failed.deliveries[1].destination == "ops@client.example")
        #expect(failed.events.map(\.type) == ["queued", "failed", "fallback"])
    }

    @Test(arguments: StoreBackend.allCases)
    func aFallbackKeepsTheMessagesExpiry(backend: StoreBackend) async throws {
        // "Unsent deliveries become expired after expires_at": a fallback is one of them, however
        // long its own retries would go on.
        let (store, cleanup) = try await backend.make()
        defer { cleanup() }
        let now = Timestamps.now()
        var planned = Fixtures.planned(to: [("webhook", "https://crm.example/hook")], expiresAt: now + 5_000, now: now)
        planned.deliveries[0].fallback = [FallbackStep(channel: "email", destination: "ops@client.example")]
        _ = try await store.enqueue([planned])
        let claimed = try #require(try await Fixtures.fail(store, now: now).first)
        let fallback = try #require(try await store.message(id: claimed.message.id)?.deliveries.last)
        #expect(fallback.purpose == "fallback" && fallback.expiresAt == now + 5_000)
        #expect(try await store.claim(channel: "email", limit: 1, now: now + 5_000, leaseUntil: now + 65_000, owner: "w").isEmpty)
        #expect(try await store.expireDue(now: now + 5_000, limit: 10) == 1)
        #expect(try await store.message(id: claimed.message.id)?.deliveries.last?.state == .expired)
    }

    @Test(arguments: StoreBackend.allCases)
    func anEscalationDueAfterTheMessageExpiredIsSkipped(backend: StoreBackend) async throws {
        // A "webinar starts in an hour" reminder that expires at the start must not be phoned or
        // texted to the client after it.
        let (store, cleanup) = try await backend.make()
        defer { cleanup() }
        let now = Timestamps.now()
        var late = Fixtures.planned(to: [("email", "lin@xinghe.example")], expiresAt: now + 1_000, now: now)
        late.escalation = PlannedEscalation(dueAt: now + 2_000, unless: .opened, channel: "webhook", destination: "https://crm.example/hook")
        var timely = Fixtures.planned(to: [("email", "lin@xinghe.example")], expiresAt: now + 9_000, now: now)
        timely.escalation = PlannedEscalation(dueAt: now + 2_000, unless: .opened, channel: "webhook", destination: "https://crm.example/hook")
        let results = try await store.enqueue([late, timely])
        let (lateMessage, _) = try #require(Fixtures.created(results.first))
        let (timelyMessage, _) = try #require(Fixtures.created(results.last))

        #expect(try await store.fireEscalations(now: now + 2_000, limit: 10) == 1)
        let skipped = try #require(try await store.message(id: lateMessage.id))
        #expect(!skipped.deliveries.contains { $0.purpose == "escalation" })
        #expect(skipped.events.contains { $0.type == "escalation_skipped" && $0.detail?.contains("expired") == true })
        // The one that fired carries the message's expiry, like every delivery of it.
        let fired = try #require(try await store.message(id: timelyMessage.id)?.deliveries.first { $0.purpose == "escalation" })
        #expect(fired.expiresAt == now + 9_000)
    }

    @Test(arguments: StoreBackend.allCases)
    func aDeliveryWhoseAddressWasSuppressedWhileItWaitedIsNotSent(backend: StoreBackend) async throws {
        // A marketing email scheduled for later; meanwhile its reader unsubscribes through an earlier
        // one. When it comes due it must not go out (the transactional one still does).
        let (store, cleanup) = try await backend.make()
        defer { cleanup() }
        let now = Timestamps.now()
        func planned(_ category: MessageRequest.Category, sendAt: Int64?) -> PlannedMessage {
            var request = MessageRequest(text: "hello", destinations: [.init(channel: "email", address: "Li@Client.example")], sendAt: sendAt)
            request.category = category
            return PlannedMessage(request: request, now: now, actor: "test")
        }
        let first = try #require(Fixtures.created(try await store.enqueue([planned(.marketing, sendAt: nil)]).first))
        let later = try await store.enqueue([planned(.marketing, sendAt: now + 1_000), planned(.transactional, sendAt: now + 1_000)])
        let (promo, _) = try #require(Fixtures.created(later.first))
        let (invoice, _) = try #require(Fixtures.created(later.last))
        #expect(try await store.claim(channel: "email", limit: 10, now: now, leaseUntil: now + 60_000, owner: "w").count == 1)
        #expect(try await store.unsubscribe(deliveryID: first.1[0].id, at: now + 10) != nil)

        let claimed = try await store.claim(channel: "email", limit: 10, now: now + 1_000, leaseUntil: now + 61_000, owner: "w")
        #expect(claimed.map(\.message.id) == [invoice.id])
        let stopped = try #require(try await store.message(id: promo.id))
        #expect(stopped.deliveries[0].state == .suppressed && stopped.deliveries[0].attempts == 0)
        #expect(stopped.deliveries[0].lastError?.hasPrefix("suppressed: unsubscribe") == true)
        #expect(stopped.events.contains { $0.type == "suppressed" && $0.actor == "dispatcher" && $0.detail?.hasPrefix("unsubscribe: ") == true })
        let depth = try await store.queueDepth()
        #expect(depth[.suppressed] == 1 && depth[.sending] == 2 && depth[.scheduled, default: 0] == 0)
        #expect(try await store.claim(channel: "email", limit: 10, now: now + 2_000, leaseUntil: now + 62_000, owner: "w").isEmpty)
    }

    @Test(arguments: StoreBackend.allCases)
    func aFallbackThatWouldGoInTheClientsQuietHoursWaitsForThemToEnd(backend: StoreBackend) async throws {
        // Retries ran into the night, then gave up: the text-message fallback waits for the morning.
        let (store, cleanup) = try await backend.make()
        defer { cleanup() }
        let now = Timestamps.now()
        // A window around now (UTC), whatever the time of day the test runs at.
        let minute = Int((now / 60_000) % 1_440)
        let window = QuietHours(start: (minute + 1_380) % 1_440, end: (minute + 60) % 1_440).description
        var planned = Fixtures.planned(to: [("webhook", "https://crm.example/hook")], now: now)
        planned.deliveries[0].fallback = [
            FallbackStep(
                channel: "sms", destination: "+8613900139000",
                quiet: QuietWindow(hours: try #require(QuietHours(parsing: window)), timezone: .named("UTC")))
        ]
        _ = try await store.enqueue([planned])
        let claimed = try #require(try await Fixtures.fail(store, now: now).first)
        let detail = try #require(try await store.message(id: claimed.message.id))
        let fallback = try #require(detail.deliveries.last)
        #expect(fallback.purpose == "fallback" && fallback.state == .scheduled)
        #expect(fallback.dueAt > now && fallback.dueAt <= now + 3_600_000 && fallback.dueAt % 60_000 == 0)
        #expect(detail.events.last?.type == "fallback" && detail.events.last?.detail?.contains("after quiet hours") == true)
        #expect(try await store.claim(channel: "sms", limit: 1, now: now + 1_000, leaseUntil: now + 61_000, owner: "w").isEmpty)
        #expect(try await store.claim(channel: "sms", limit: 1, now: fallback.dueAt, leaseUntil: fallback.dueAt + 60_000, owner: "w").count == 1)
    }

    @Test(arguments: StoreBackend.allCases)
    func anEscalationSaysHowLongSinceTheMessageWentOutNotSinceItWasAccepted(backend: StoreBackend) async throws {
        let (store, cleanup) = try await backend.make()
        defer { cleanup() }
        let now = Timestamps.now()
        var planned = Fixtures.planned(to: [("email", "lin@xinghe.example")], sendAt: now + 60_000, now: now)
        planned.escalation = PlannedEscalation(
            dueAt: now + 62_000, unless: .opened, channel: "webhook", destination: "https://crm.example/hook")
        _ = try await store.enqueue([planned])
        try await Fixtures.send(store, now: now + 60_000)
        #expect(try await store.fireEscalations(now: now + 62_000, limit: 10) == 1)
        let detail = try #require(try await store.messages(matching: MessageQuery(limit: 1)).items.first.map(\.message.id))
        let escalated = try #require(try await store.message(id: detail)?.events.first { $0.type == "escalated" })
        #expect(escalated.detail == "not opened within 2 s: escalated via webhook")
    }
}
