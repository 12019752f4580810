import HeraldCore
import HeraldStore
import Testing

@Suite struct StoreSubscriptionTests {
    /// Sends one delivery and records opens on it: events `queued`, `sent`, `opened`, `opened`.
    func sendAndOpen(_ store: any Store, to address: String, at t0: Int64) async throws -> String {
        let (_, deliveries) = try #require(Fixtures.created(
            try await store.enqueue([Fixtures.planned(to: [("email", address)], now: t0)]).first))
        let id = deliveries[0].id
        _ = try await store.claim(channel: "email", limit: 10, now: t0, leaseUntil: t0 + 60_000, owner: "w")
        let report = AttemptReport(deliveryID: id, messageID: deliveries[0].messageID, channel: "email", number: 1,
                                   startedAt: t0, durationMillis: 1, statusCode: 250, outcome: .sent(providerID: nil))
        try await store.record([DeliveryResult(report: report, newState: .sent, nextDueAt: nil, error: nil, providerID: nil)])
        for agent in ["Mozilla/5.0 (Windows NT 10.0) Outlook/16", "Mozilla/5.0"] {
            _ = try await store.recordEngagement(deliveryID: id, kind: .open, url: nil, userAgent: agent, at: t0 + 10)
        }
        return id
    }

    /// Fans out until `count` events were read (or 10 s passed); returns how many were. On PostgreSQL
    /// an event is relayed once every older transaction on the server has ended, and the other tests
    /// run beside this one on the same server, so that can take more than one call. No signal tells
    /// when they end: this polls.
    func relay(_ store: any Store, _ routes: [SubscriptionRoute], now: Int64, count: Int) async throws -> Int {
        let deadline = ContinuousClock.now + .seconds(10)
        var read = 0
        while read < count, ContinuousClock.now < deadline {
            let n = try await store.fanOut(to: routes, limit: 100, now: now)
            read += n
            if n == 0 { try await Task.sleep(for: .milliseconds(5)) }
        }
        return read
    }

    @Test(arguments: StoreBackend.allCases)
    func fanOutNumbersEachDeliverysNoticesAndClaimsThemInOrder(backend: StoreBackend) async throws {
        let (store, cleanup) = try await backend.make()
        defer { cleanup() }
        let t0 = Timestamps.now()
        // Before anyone subscribes: history is not replayed to the first subscriber.
        _ = try await sendAndOpen(store, to: "old@x.example", at: t0)
        let all = SubscriptionRoute(id: "config:all", topics: Set(EventTopic.allCases))
        let opens = SubscriptionRoute(id: "config:opens", topics: [.deliveryOpened])
        #expect(try await store.fanOut(to: [all, opens], limit: 100, now: t0) == 0)
        let id = try await sendAndOpen(store, to: "li@x.example", at: t0 + 100)
        // sent and two opens (`queued` is derived from the rows, not an event-log row).
        #expect(try await relay(store, [all, opens], now: t0 + 200, count: 3) == 3)
        #expect(try await store.fanOut(to: [all, opens], limit: 100, now: t0 + 200) == 0)  // nothing read twice

        // `all` gets sent + two opens (one by a machine), numbered 1, 2, 3; one at a time, in order.
        var order: [(EventTopic, Int, String?)] = []
        for step in 0..<4 {
            let claimed = try await store.claimNotices(subscriptionIDs: [all.id], limit: 10, now: t0 + 300, leaseUntil: t0 + 60_000)
            if step == 3 { #expect(claimed.isEmpty); break }
            let notice = try #require(claimed.count == 1 ? claimed.first : nil)
            #expect(notice.deliveryID == id)
            let payload = try JSONValue.parse(Array(notice.payload.utf8))
            guard case .object(let body) = payload, case .object(let data)? = body["data"] else { Issue.record("payload"); return }
            order.append((notice.topic, notice.sequence, data["automated"].flatMap { if case .bool(let b) = $0 { "\(b)" } else { nil } }))
            // A failure keeps the later ones waiting; a success releases the next.
            if step == 0 {
                try await store.finishNotices([NoticeResult(noticeID: notice.id, outcome: .retry(at: t0 + 300), statusCode: 500, error: "HTTP 500", at: t0 + 300)])
                let again = try await store.claimNotices(subscriptionIDs: [all.id], limit: 10, now: t0 + 300, leaseUntil: t0 + 60_000)
                #expect(again.map(\.id) == [notice.id])
            }
            try await store.finishNotices([NoticeResult(noticeID: notice.id, outcome: .delivered, statusCode: 204, error: nil, at: t0 + 300)])
        }
        #expect(order.map(\.0) == [.deliverySent, .deliveryOpened, .deliveryOpened])
        #expect(order.map(\.1) == [1, 2, 3])
        #expect(order.map(\.2) == [nil, "false", "true"])
        let counts = try await store.noticeCounts()
        #expect(counts[all.id] == NoticeCounts(pending: 0, delivered: 3, dead: 0))
        #expect(counts[opens.id]?.pending == 2)

        // Dead letters stay apart until redriven.
        let claimed = try await store.claimNotices(subscriptionIDs: [opens.id], limit: 10, now: t0 + 400, leaseUntil: t0 + 60_000)
        #expect(claimed.count == 1)  // the second open waits for the first
        try await store.finishNotices([NoticeResult(noticeID: claimed[0].id, outcome: .dead, statusCode: 500, error: "gave up", at: t0 + 400)])
        #expect(try await store.notices(subscriptionID: opens.id, state: .dead, limit: 10).map(\.id) == [claimed[0].id])
        #expect(try await store.redriveNotices(subscriptionID: opens.id, now: t0 + 500) == 1)
        #expect(try await store.noticeCounts()[opens.id] == NoticeCounts(pending: 2, delivered: 0, dead: 0))
    }

    @Test(arguments: StoreBackend.allCases)
    func subscriptionsAreStoredAndAnIdleRelayDoesNotReplayHistory(backend: StoreBackend) async throws {
        let (store, cleanup) = try await backend.make()
        defer { cleanup() }
        let t0 = Timestamps.now()
        #expect(try await store.fanOut(to: [], limit: 100, now: t0) == 0)  // no subscribers: parked
        _ = try await sendAndOpen(store, to: "before@x.example", at: t0)
        let sub = Subscription(id: HeraldID.make(.subscription), name: "crm", url: "https://crm.example/hook",
                               topics: [.deliverySent], secret: "whsec_c2VjcmV0c2VjcmV0c2VjcmV0", source: .api,
                               allowPrivateNetworks: false, createdAt: t0)
        try await store.createSubscription(sub)
        await #expect(throws: HeraldError.self) { try await store.createSubscription(sub) }
        #expect(try await store.subscriptions() == [sub])
        // Sealing a secret stored before replaces only the secret.
        var sealed = sub
        sealed.secret = "sealed:v1:AAAA"
        try await store.updateSubscriptionSecret(id: sub.id, secret: sealed.secret)
        #expect(try await store.subscriptions() == [sealed])
        try await store.updateSubscriptionSecret(id: sub.id, secret: sub.secret)
        #expect(try await store.subscriptions() == [sub])
        let after = try await sendAndOpen(store, to: "after@x.example", at: t0 + 100)
        #expect(try await relay(store, [SubscriptionRoute(id: sub.id, topics: sub.topics)], now: t0 + 200, count: 3) == 3)
        let notices = try await store.claimNotices(subscriptionIDs: [sub.id], limit: 10, now: t0 + 300, leaseUntil: t0 + 1_000)
        #expect(notices.count == 1 && notices[0].topic == .deliverySent && notices[0].deliveryID == after)
        // Leased: not claimed again until the lease runs out.
        #expect(try await store.claimNotices(subscriptionIDs: [sub.id], limit: 10, now: t0 + 400, leaseUntil: t0 + 1_000).isEmpty)
        #expect(try await store.claimNotices(subscriptionIDs: [sub.id], limit: 10, now: t0 + 1_000, leaseUntil: t0 + 2_000).count == 1)
        #expect(try await store.deleteSubscription(id: sub.id))
        #expect(try await store.noticeCounts()[sub.id] == nil)
        #expect(try await store.deleteSubscription(id: sub.id) == false)
    }
}
