import HeraldCore
import HeraldStore
import Testing

@Suite struct StoreEnqueueTests {
    @Test(arguments: StoreBackend.allCases)
    func enqueueStoresMessageDeliveriesAndEvents(backend: StoreBackend) async throws {
        let (store, cleanup) = try await backend.make()
        defer { cleanup() }
        let planned = Fixtures.planned(to: [("webhook", "https://a.example/x"), ("webhook", "https://b.example/y")])
        let result = try await store.enqueue([planned])
        let (message, deliveries) = try #require(Fixtures.created(result.first))
        #expect(deliveries.count == 2 && deliveries.allSatisfy { $0.state == .queued })

        let detail = try #require(try await store.message(id: message.id))
        #expect(detail.message == message)
        #expect(detail.deliveries.map(\.id) == deliveries.map(\.id))
        #expect(detail.events.count == 2)
        #expect(detail.events.allSatisfy { $0.type == "queued" && $0.actor == "test" })
        #expect(try await store.queueDepth()[.queued] == 2)
    }

    @Test(arguments: StoreBackend.allCases)
    func sendAtInTheFutureIsScheduled(backend: StoreBackend) async throws {
        let (store, cleanup) = try await backend.make()
        defer { cleanup() }
        let now = Timestamps.now()
        let result = try await store.enqueue([Fixtures.planned(sendAt: now + 60_000, now: now)])
        let (_, deliveries) = try #require(Fixtures.created(result.first))
        #expect(deliveries[0].state == .scheduled && deliveries[0].dueAt == now + 60_000)
        #expect(try await store.claim(channel: "webhook", limit: 10, now: now, leaseUntil: now + 1_000, owner: "t").isEmpty)
        let later = try await store.claim(channel: "webhook", limit: 10, now: now + 60_000, leaseUntil: now + 61_000, owner: "t")
        #expect(later.map(\.delivery.id) == deliveries.map(\.id))
    }

    @Test(arguments: StoreBackend.allCases)
    func idempotencyKeyReturnsTheFirstResultOrConflicts(backend: StoreBackend) async throws {
        let (store, cleanup) = try await backend.make()
        defer { cleanup() }
        let first = try await store.enqueue([Fixtures.planned(key: "acme-welcome-1")])
        let (message, deliveries) = try #require(Fixtures.created(first.first))

        let repeatResult = try await store.enqueue([Fixtures.planned(key: "acme-welcome-1")])
        #expect(repeatResult == [.duplicate(message, deliveries)])

        let different = try await store.enqueue([Fixtures.planned(key: "acme-welcome-1", text: "changed")])
        #expect(different == [.conflict(existingMessageID: message.id)])

        // The same key twice inside one batch: the second sees the first.
        let batch = try await store.enqueue([Fixtures.planned(key: "k2"), Fixtures.planned(key: "k2")])
        guard case .created(let m2, _) = batch[0], case .duplicate(let m3, _) = batch[1] else {
            Issue.record("expected created then duplicate, got \(batch)")
            return
        }
        #expect(m2.id == m3.id)
        let page = try await store.messages(matching: MessageQuery(limit: 100))
        #expect(page.items.count == 2)
    }

    @Test(arguments: StoreBackend.allCases)
    func concurrentEnqueuesAllCommit(backend: StoreBackend) async throws {
        let (store, cleanup) = try await backend.make()
        defer { cleanup() }
        let ids = try await withThrowingTaskGroup(of: String?.self) { group in
            for i in 0..<300 {
                group.addTask {
                    let result = try await store.enqueue([Fixtures.planned(key: "c-\(i)")])
                    return Fixtures.created(result.first)?.0.id
                }
            }
            var ids: [String] = []
            for try await id in group { if let id { ids.append(id) } }
            return ids
        }
        #expect(Set(ids).count == 300)
        #expect(try await store.queueDepth()[.queued] == 300)
    }

    @Test(arguments: StoreBackend.allCases)
    func listFiltersAndPaginates(backend: StoreBackend) async throws {
        let (store, cleanup) = try await backend.make()
        defer { cleanup() }
        var acme: [String] = []
        for i in 0..<7 {
            let r = try await store.enqueue([Fixtures.planned(clientID: i % 2 == 0 ? "acme" : "globex", template: "welcome")])
            if i % 2 == 0, let (m, _) = Fixtures.created(r.first) { acme.append(m.id) }
        }
        var seen: [String] = []
        var cursor: String? = nil
        repeat {
            let page = try await store.messages(matching: MessageQuery(clientID: "acme", cursor: cursor, limit: 3))
            seen += page.items.map(\.message.id)
            #expect(page.items.allSatisfy { $0.message.clientID == "acme" && $0.deliveries.count == 1 })
            cursor = page.nextCursor
        } while cursor != nil
        #expect(seen == acme.reversed())
        #expect(try await store.messages(matching: MessageQuery(state: .sent)).items.isEmpty)
        #expect(try await store.messages(matching: MessageQuery(template: "welcome", state: .queued, limit: 100)).items.count == 7)
        #expect(try await store.messages(matching: MessageQuery(since: Timestamps.now() + 60_000)).items.isEmpty)
    }
}

@Suite struct StoreBatchEnqueueTests {
    @Test(arguments: StoreBackend.allCases)
    func oneBatchWithARepeatedKeyStoresItOnceAndSuppressesKnownAddresses(backend: StoreBackend) async throws {
        let (store, cleanup) = try await backend.make()
        defer { cleanup() }
        let now = Timestamps.now()
        #expect(try await store.unsubscribe(deliveryID: "none", at: now) == nil)  // unknown delivery
        let first = Fixtures.planned(key: "k-1", now: now)
        let again = Fixtures.planned(key: "k-1", now: now)
        let other = Fixtures.planned(key: "k-1", text: "different", now: now)
        let plain = Fixtures.planned(to: [("email", "A@B.example"), ("webhook", "https://x.example")], now: now)
        let results = try await store.enqueue([first, again, other, plain])
        guard results.count == 4, case .created(let m, _) = results[0], case .duplicate(let d, let dd) = results[1],
            case .conflict(let existing) = results[2], case .created(_, let plainDeliveries) = results[3]
        else { Issue.record("unexpected \(results)"); return }
        #expect(d.id == m.id && existing == m.id && dd.count == 1)
        #expect(plainDeliveries.map(\.state) == [.queued, .queued])
        // A hard bounce of a@b.example, then a batch: its delivery is suppressed, the other not.
        let claimed = try await store.claim(channel: "email", limit: 1, now: now, leaseUntil: now + 60_000, owner: "w")
        try await store.record([DeliveryResult(
            report: AttemptReport(deliveryID: claimed[0].delivery.id, messageID: claimed[0].message.id, channel: "email",
                                  number: 1, startedAt: now, durationMillis: 1, statusCode: 550, outcome: .bounced(reason: "550")),
            newState: .failed, nextDueAt: nil, error: "550", providerID: nil)])
        let later = try await store.enqueue([
            Fixtures.planned(to: [("email", "a@b.example")], now: now + 1), Fixtures.planned(to: [("email", "c@b.example")], now: now + 1),
        ])
        let states = later.compactMap { Fixtures.created($0)?.1.first?.state }
        #expect(states == [.suppressed, .queued])
        // Timelines: the suppressed delivery's first event is a stored row with the reason and no
        // derived `queued` beside it; the queued one's is derived, with the enqueuing actor.
        let (suppressedMessage, _) = try #require(Fixtures.created(later[0]))
        let suppressedEvents = try #require(try await store.message(id: suppressedMessage.id)).events
        #expect(suppressedEvents.map(\.type) == ["suppressed"])
        #expect(suppressedEvents.first?.detail?.contains("550") == true)
        let (queuedMessage, queuedDeliveries) = try #require(Fixtures.created(later[1]))
        let queuedEvents = try #require(try await store.message(id: queuedMessage.id)).events
        #expect(queuedEvents.map(\.type) == ["queued"] && queuedEvents.first?.actor == "test")
        #expect(queuedEvents.first?.deliveryID == queuedDeliveries.first?.id)
    }
}

@Suite struct QueueDepthCacheTests {
    @Test(arguments: StoreBackend.allCases)
    func countsAreFreshFromATallyAndRationedWhenTheStoreMustCount(backend: StoreBackend) async throws {
        let (store, cleanup) = try await backend.make()
        defer { cleanup() }
        let t0 = Timestamps.now()
        let cache = QueueDepthCache(store: store, ttl: 2_000)
        _ = try await store.enqueue([Fixtures.planned(to: [("email", "a@x.example")], now: t0)])
        #expect(try await cache.depth(now: t0)[.queued] == 1)
        _ = try await store.enqueue([Fixtures.planned(to: [("email", "b@x.example")], now: t0)])
        if store.keepsDeliveryCounts {
            // SQLite keeps a tally: every poll is exact.
            #expect(cache.ttl == 0)
            #expect(try await cache.depth(now: t0 + 1)[.queued] == 2)
        } else {
            // PostgreSQL counts with a scan: within the TTL polls get the last count, then a new one.
            #expect(cache.ttl == 2_000)
            #expect(try await cache.depth(now: t0 + 1_999)[.queued] == 1)
            #expect(try await cache.depth(now: t0 + 2_000)[.queued] == 2)
            // Concurrent polls after the TTL share one count and agree.
            _ = try await store.enqueue([Fixtures.planned(to: [("email", "c@x.example")], now: t0)])
            let counts = try await withThrowingTaskGroup(of: Int?.self) { group in
                for _ in 0..<8 { group.addTask { try await cache.depth(now: t0 + 4_000)[.queued] } }
                return try await group.reduce(into: [Int?]()) { $0.append($1) }
            }
            #expect(counts == Array(repeating: 3, count: 8))
        }
    }
}
