import HeraldCore
import HeraldStore
import Testing

@Suite struct StoreSuppressionTests {
    @Test(arguments: StoreBackend.allCases)
    func anOperatorsEntryStopsWaitingAndNewMessagesUntilItIsRemoved(backend: StoreBackend) async throws {
        let (store, cleanup) = try await backend.make()
        defer { cleanup() }
        let now = Timestamps.now()
        // Mail waiting for later, then the client's legal team asks that nothing more go to this address.
        let waiting = try #require(Fixtures.created(try await store.enqueue([
            Fixtures.planned(to: [("email", "Ops@Acme.example")], sendAt: now + 1_000, now: now),
        ]).first))
        let entry = try Suppression.request(
            .object(["address": .string("OPS@acme.example"), "reason": .string("legal hold, ticket 4411")]),
            actor: "token:admin", now: now)
        let (stored, created) = try await store.suppress(entry)
        #expect(created && stored == entry && stored.address == "ops@acme.example" && stored.category == "all")

        // Adding it again keeps the first entry, as it was.
        let again = try await store.suppress(Suppression(
            address: "ops@acme.example", category: "all", source: "manual", reason: "other", actor: "cli:root", createdAt: now + 5))
        #expect(!again.created && again.entry == entry)

        // What waited ends suppressed at its claim with the operator's reason; a new message at once.
        #expect(try await store.claim(channel: "email", limit: 10, now: now + 1_000, leaseUntil: now + 61_000, owner: "w").isEmpty)
        let stopped = try #require(try await store.message(id: waiting.0.id))
        #expect(stopped.deliveries.map(\.state) == [.suppressed])
        #expect(stopped.deliveries[0].lastError == "suppressed: manual: legal hold, ticket 4411")
        let refused = try #require(Fixtures.created(try await store.enqueue([
            Fixtures.planned(to: [("email", "ops@acme.example")], now: now + 2_000),
        ]).first))
        #expect(refused.1.map(\.state) == [.suppressed])

        // Removed: the next message goes out; the suppressed ones stay in the history as they were.
        let removed = try await store.removeSuppression(address: "Ops@ACME.example", category: nil, force: false, actor: "cli:test", now: Timestamps.now())
        #expect(removed == [entry])
        #expect(try await store.suppressions(matching: SuppressionQuery(address: "ops@acme.example")).isEmpty)
        let sent = try #require(Fixtures.created(try await store.enqueue([
            Fixtures.planned(to: [("email", "ops@acme.example")], now: now + 3_000),
        ]).first))
        #expect(sent.1.map(\.state) == [.queued])
        #expect(try await store.message(id: waiting.0.id)?.deliveries.map(\.state) == [.suppressed])
        await #expect(throws: HeraldError.self) {
            try await store.removeSuppression(address: "ops@acme.example", category: nil, force: false, actor: "cli:test", now: Timestamps.now())
        }
    }

    @Test(arguments: StoreBackend.allCases)
    func listingFiltersByAddressDomainSourceAndCategoryAndPagesInAddressOrder(backend: StoreBackend) async throws {
        let (store, cleanup) = try await backend.make()
        defer { cleanup() }
        let now = Timestamps.now()
        func add(_ address: String, _ category: String, source: String = "manual") async throws {
            _ = try await store.suppress(Suppression(
                address: address, category: category, source: source, reason: "r", actor: source == "manual" ? "cli:ops" : nil,
                createdAt: now))
        }
        try await add("b@acme.example", "all")
        try await add("b@acme.example", "marketing")
        try await add("a@acme.example", "marketing", source: "unsubscribe")
        try await add("c@mail.acme.example", "all", source: "bounce")
        try await add("d@globex.example", "all")
        try await add("+8613800138000", "all", source: "wrong_number")
        try await add("+8613800138000", "channel:sms", source: "opt_out")

        func listed(_ query: SuppressionQuery) async throws -> [String] {
            try await store.suppressions(matching: query).map { "\($0.address)/\($0.category)" }
        }
        #expect(try await listed(SuppressionQuery()) == [
            "+8613800138000/all", "+8613800138000/channel:sms", "a@acme.example/marketing", "b@acme.example/all", "b@acme.example/marketing",
            "c@mail.acme.example/all", "d@globex.example/all",
        ])
        #expect(try await listed(SuppressionQuery(address: "B@Acme.example")) == ["b@acme.example/all", "b@acme.example/marketing"])
        // A domain is the whole part after '@': not its subdomains, not a suffix of another domain.
        #expect(try await listed(SuppressionQuery(domain: "ACME.example")) == [
            "a@acme.example/marketing", "b@acme.example/all", "b@acme.example/marketing",
        ])
        #expect(try await listed(SuppressionQuery(domain: "cme.example")).isEmpty)
        #expect(try await listed(SuppressionQuery(source: "bounce")) == ["c@mail.acme.example/all"])
        #expect(try await listed(SuppressionQuery(domain: "acme.example", category: "marketing")) == [
            "a@acme.example/marketing", "b@acme.example/marketing",
        ])

        // Pages of two, each continuing after the cursor of the one before, cover the list once.
        var pages: [[String]] = []
        var query = SuppressionQuery(limit: 2)
        while true {
            let page = try await store.suppressions(matching: query)
            pages.append(page.map { "\($0.address)/\($0.category)" })
            guard page.count == 2, let last = page.last else { break }
            query.after = try #require(SuppressionQuery.parseCursor(SuppressionQuery.cursor(after: last)))
        }
        #expect(pages.flatMap { $0 } == (try await listed(SuppressionQuery())))
        #expect(pages.count == 4 && pages.last?.count == 1)   // (a page ends on channel:sms, whose category holds a colon)
    }

    @Test(arguments: StoreBackend.allCases)
    func anUnsubscribeIsRemovedOnlyWithForceAndOneCategoryLeavesTheOther(backend: StoreBackend) async throws {
        let (store, cleanup) = try await backend.make()
        defer { cleanup() }
        let now = Timestamps.now()
        let (_, deliveries) = try #require(Fixtures.created(try await store.enqueue([
            Fixtures.planned(to: [("email", "li@client.example")], now: now),
        ]).first))
        #expect(try await store.unsubscribe(deliveryID: deliveries[0].id, at: now + 1) != nil)
        _ = try await store.suppress(Suppression(
            address: "li@client.example", category: "all", source: "manual", reason: "left the company", actor: "cli:ops",
            createdAt: now + 2))

        do {
            _ = try await store.removeSuppression(address: "li@client.example", category: nil, force: false, actor: "cli:test", now: Timestamps.now())
            Issue.record("an unsubscribe was removed without force")
        } catch let error as HeraldError {
            #expect(error.kind == .conflict && error.detail.contains("unsubscribed"))
        }
        #expect(try await store.suppressions(matching: SuppressionQuery(address: "li@client.example")).count == 2)

        // Only the operator's own entry: the unsubscribe stays.
        let manual = try await store.removeSuppression(address: "li@client.example", category: "all", force: false, actor: "cli:test", now: Timestamps.now())
        #expect(manual.map(\.source) == ["manual"])
        let left = try await store.suppressions(matching: SuppressionQuery(address: "li@client.example"))
        #expect(left.map(\.source) == ["unsubscribe"] && left[0].deliveryID == deliveries[0].id && left[0].actor == nil)

        let forced = try await store.removeSuppression(address: "li@client.example", category: nil, force: true, actor: "cli:test", now: Timestamps.now())
        #expect(forced.map(\.category) == ["marketing"])
        #expect(try await store.suppressions(matching: SuppressionQuery()).isEmpty)
    }

    @Test(arguments: StoreBackend.allCases)
    func anSMSStopSuppressesTheNumberOnThatChannelOnly(backend: StoreBackend) async throws {
        // The client replied STOP to our texts: Twilio refuses with 21610. Texts to the number stop
        // (also one already waiting); the CSM's call and another SMS channel still go.
        let (store, cleanup) = try await backend.make()
        defer { cleanup() }
        let now = Timestamps.now()
        let number = "+8613800138000"
        _ = try await store.enqueue([Fixtures.planned(to: [("sms", number)], now: now)])
        let waiting = try #require(Fixtures.created(try await store.enqueue([
            Fixtures.planned(to: [("sms", number)], sendAt: now + 1_000, now: now),
        ]).first))
        let claimed = try await store.claim(channel: "sms", limit: 10, now: now, leaseUntil: now + 60_000, owner: "w")
        let reason = "twilio HTTP 400 21610: Attempt to send to unsubscribed recipient"
        try await store.record(claimed.map { c in
            DeliveryResult(
                report: AttemptReport(deliveryID: c.delivery.id, messageID: c.message.id, channel: "sms", number: 1,
                                      startedAt: now, durationMillis: 1, statusCode: 400, outcome: .optedOut(reason: reason)),
                newState: .failed, nextDueAt: nil, error: reason, providerID: nil)
        })
        let stopped = try #require(try await store.message(id: claimed[0].message.id))
        #expect(stopped.deliveries.map(\.state) == [.failed] && stopped.attempts.map(\.outcome) == ["failed"])

        let entries = try await store.suppressions(matching: SuppressionQuery(address: number))
        #expect(entries.map(\.category) == ["channel:sms"] && entries.map(\.source) == ["opt_out"])
        #expect(entries.first?.deliveryID == claimed[0].delivery.id && entries.first?.reason == reason)
        #expect(try await store.suppressions(matching: SuppressionQuery(source: "opt_out", category: "channel:sms")).count == 1)

        // The text that waited is not tried; a new one is suppressed at once; the call and the other
        // SMS channel are not.
        #expect(try await store.claim(channel: "sms", limit: 10, now: now + 1_000, leaseUntil: now + 61_000, owner: "w").isEmpty)
        #expect(try await store.message(id: waiting.0.id)?.deliveries.first?.lastError == "suppressed: opt_out: \(reason)")
        let later = try #require(Fixtures.created(try await store.enqueue([
            Fixtures.planned(to: [("sms", number), ("phone", number), ("sms-aliyun", number)], now: now + 2_000),
        ]).first))
        #expect(later.1.map(\.state) == [.suppressed, .queued, .queued])
    }
    @Test(arguments: StoreBackend.allCases)
    func aRefusalOfPromotionalTextsSuppressesTheNumberForMarketingOnly(backend: StoreBackend) async throws {
        // Aliyun refuses a promotional text with isv.CUSTOMER_REFUSED (the number unsubscribed from
        // them): marketing to the number stops, on every channel; the CSM's notices still go.
        let (store, cleanup) = try await backend.make()
        defer { cleanup() }
        let now = Timestamps.now()
        let number = "+8613800138000"
        var promotion = Fixtures.planned(to: [("sms-aliyun", number)], now: now)
        promotion.message.category = .marketing
        _ = try await store.enqueue([promotion])
        let claimed = try await store.claim(channel: "sms-aliyun", limit: 10, now: now, leaseUntil: now + 60_000, owner: "w")
        let reason = "aliyun isv.CUSTOMER_REFUSED: 用户已退订推广短信"
        try await store.record(claimed.map { c in
            DeliveryResult(
                report: AttemptReport(deliveryID: c.delivery.id, messageID: c.message.id, channel: "sms-aliyun", number: 1,
                                      startedAt: now, durationMillis: 1, statusCode: 200, outcome: .optedOutOfMarketing(reason: reason)),
                newState: .failed, nextDueAt: nil, error: reason, providerID: nil)
        })
        let refused = try #require(try await store.message(id: claimed[0].message.id))
        #expect(refused.deliveries.map(\.state) == [.failed] && refused.attempts.map(\.outcome) == ["failed"])
        let entries = try await store.suppressions(matching: SuppressionQuery(address: number))
        #expect(entries.map(\.category) == ["marketing"] && entries.map(\.source) == ["opt_out"])
        #expect(entries.first?.deliveryID == claimed[0].delivery.id && entries.first?.reason == reason)

        var nextPromotion = Fixtures.planned(to: [("sms-aliyun", number), ("sms", number)], now: now + 1_000)
        nextPromotion.message.category = .marketing
        let stopped = try #require(Fixtures.created(try await store.enqueue([nextPromotion]).first))
        #expect(stopped.1.map(\.state) == [.suppressed, .suppressed])
        #expect(stopped.1.first?.lastError == "suppressed: opt_out: \(reason)")
        let notice = try #require(Fixtures.created(try await store.enqueue([
            Fixtures.planned(to: [("sms-aliyun", number)], now: now + 2_000),
        ]).first))
        #expect(notice.0.category == .transactional && notice.1.map(\.state) == [.queued])
    }
}
