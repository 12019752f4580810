import HeraldCore
import HeraldStore
import Testing

@Suite struct StoreClientActivityTests {
    @Test(arguments: StoreBackend.allCases)
    func clientIDsFollowTheListsFiltersInIdOrder(backend: StoreBackend) async throws {
        let (store, cleanup) = try await backend.make()
        defer { cleanup() }
        let wang = CSM(name: "王芳", email: "wang@acme.example")
        for (id, tier, stage, csm) in [
            ("c3", "strategic", "onboarding", wang), ("c1", "strategic", "growth", wang), ("c2", "standard", "onboarding", wang),
            ("z1", "strategic", "onboarding", CSM(name: "赵强", email: "zhao@acme.example")),
        ] {
            _ = try await store.upsertClient(Client(id: id, name: id, tier: tier, lifecycleStage: stage, csm: csm))
        }
        #expect(try await store.clientIDs(matching: .all, limit: 100) == ["c1", "c2", "c3", "z1"])
        #expect(try await store.clientIDs(matching: ClientFilter(csm: "wang@acme.example"), limit: 100) == ["c1", "c2", "c3"])
        #expect(try await store.clientIDs(matching: ClientFilter(tier: "strategic", csm: "wang@acme.example"), limit: 100) == ["c1", "c3"])
        #expect(try await store.clientIDs(matching: ClientFilter(stage: "onboarding"), limit: 100) == ["c2", "c3", "z1"])
        #expect(try await store.clientIDs(matching: .all, limit: 2) == ["c1", "c2"])
        #expect(try await store.clientIDs(matching: ClientFilter(tier: "smb"), limit: 100) == [])
        // The same filters as the paged list.
        let listed = try await store.clients(matching: ClientFilter(tier: "strategic", csm: "wang@acme.example"), after: nil, limit: 100)
        #expect(listed.map(\.id) == ["c1", "c3"])
        // By id, in the order asked, each with its own contacts (read together, still apart).
        var c1 = Client(id: "c1", name: "c1", tier: "strategic", lifecycleStage: "growth", csm: wang)
        c1.contacts = [Contact(id: "b", name: "Bo", email: "bo@c1.example"), Contact(id: "a", name: "Ai", phone: "+8613800138000")]
        _ = try await store.upsertClient(c1)
        var c3 = Client(id: "c3", name: "c3", tier: "strategic", lifecycleStage: "onboarding", csm: wang)
        c3.contacts = [Contact(id: "a", name: "Cy", email: "cy@c3.example")]
        _ = try await store.upsertClient(c3)
        let byID = try await store.clients(ids: ["c3", "nobody", "c1", "c2"])
        #expect(byID.map(\.id) == ["c3", "c1", "c2"])
        #expect(byID[1].contacts.map(\.id) == ["a", "b"] && byID[0].contacts.map(\.name) == ["Cy"] && byID[2].contacts.isEmpty)
        for client in byID { #expect(client == (try await store.client(id: client.id))) }
        #expect(try await store.clients(ids: []).isEmpty)
        #expect(try await store.clients(matching: ClientFilter(tier: "strategic"), after: nil, limit: 10).map(\.contacts.count) == [2, 1, 0])
    }

    @Test(arguments: StoreBackend.allCases)
    func activityCountsUnopenedEmailsAndImportantOnes(backend: StoreBackend) async throws {
        let (store, cleanup) = try await backend.make()
        defer { cleanup() }
        let t0 = Timestamps.now()
        // acme: an opened email, an unopened urgent email, a queued email (not out yet), a robot post.
        // zeta: one unopened normal email. nobody: no messages.
        var planned = [
            Fixtures.planned(to: [("email", "a@acme.example")], now: t0), Fixtures.planned(to: [("email", "b@acme.example")], now: t0),
            Fixtures.planned(to: [("email", "c@acme.example")], now: t0), Fixtures.planned(to: [("wecom", "key-1")], now: t0),
            Fixtures.planned(to: [("email", "z@zeta.example")], now: t0),
        ]
        for i in 0..<4 { planned[i].message.clientID = "acme" }
        planned[4].message.clientID = "zeta"
        planned[1].message.priority = .urgent
        let made = try await store.enqueue(planned).compactMap(Fixtures.created)
        let email = try await store.claim(channel: "email", limit: 10, now: t0, leaseUntil: t0 + 60_000, owner: "w")
        let robot = try await store.claim(channel: "wecom", limit: 10, now: t0, leaseUntil: t0 + 60_000, owner: "w")
        let queuedID = made[2].1[0].id
        try await store.release(deliveryIDs: [queuedID], now: t0)
        for claimed in (email + robot) where claimed.delivery.id != queuedID {
            let report = AttemptReport(deliveryID: claimed.delivery.id, messageID: claimed.delivery.messageID, channel: claimed.delivery.channel,
                                       number: 1, startedAt: t0, durationMillis: 1, statusCode: 250, outcome: .sent(providerID: nil))
            try await store.record([DeliveryResult(report: report, newState: .sent, nextDueAt: nil, error: nil, providerID: nil)])
        }
        _ = try await store.recordEngagement(deliveryID: made[0].1[0].id, kind: .open, url: nil, userAgent: "Mozilla/5.0 (X11; Linux x86_64)", at: t0 + 1)

        let activity = try await store.clientActivity(clientIDs: ["acme", "zeta", "nobody"], openableChannels: ["email"])
        #expect(activity["nobody"] == nil)
        let acme = try #require(activity["acme"])
        #expect(acme.messages == 4 && acme.unopened == 1 && acme.unopenedImportant == 1)
        #expect(acme.lastContactAt == made[0..<4].map(\.0.createdAt).max())
        #expect(activity["zeta"] == ClientActivity(clientID: "zeta", lastContactAt: made[4].0.createdAt, messages: 1, unopened: 1, unopenedImportant: 0))
        // With robots counted as openable, the robot post is unopened too.
        #expect(try await store.clientActivity(clientIDs: ["acme"], openableChannels: ["email", "wecom"])["acme"]?.unopened == 2)
        #expect(try await store.clientActivity(clientIDs: [], openableChannels: ["email"]).isEmpty)
    }
}
