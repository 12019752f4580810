import HeraldCore
import HeraldStore
import Testing

@Suite struct StoreStatsTests {
    @Test(arguments: StoreBackend.allCases)
    func statsCountDeliveriesOnceWithMachineOpensApart(backend: StoreBackend) async throws {
        let (store, cleanup) = try await backend.make()
        defer { cleanup() }
        let t0 = Timestamps.now()
        var planned = [
            Fixtures.planned(to: [("email", "a@x.example")], now: t0), Fixtures.planned(to: [("email", "b@x.example")], now: t0),
            Fixtures.planned(to: [("email", "c@x.example")], now: t0),
        ]
        for i in planned.indices { planned[i].message.template = "welcome" }
        planned[2].message.locale = "zh-CN"
        let made = try await store.enqueue(planned).compactMap(Fixtures.created)
        _ = try await store.claim(channel: "email", limit: 10, now: t0, leaseUntil: t0 + 60_000, owner: "w")
        for (message, deliveries) in made {
            let report = AttemptReport(deliveryID: deliveries[0].id, messageID: message.id, channel: "email", number: 1,
                                       startedAt: t0, durationMillis: 1, statusCode: 250, outcome: .sent(providerID: nil))
            try await store.record([DeliveryResult(report: report, newState: .sent, nextDueAt: nil, error: nil, providerID: nil)])
        }
        let (a, b) = (made[0].1[0].id, made[1].1[0].id)
        let person = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile"
        // a: opened twice and clicked by a person (counted once each); b: only Apple's privacy proxy.
        for _ in 0..<2 { _ = try await store.recordEngagement(deliveryID: a, kind: .open, url: nil, userAgent: person, at: t0 + 1) }
        _ = try await store.recordEngagement(deliveryID: a, kind: .click, url: "https://x.example", userAgent: person, at: t0 + 2)
        _ = try await store.recordEngagement(deliveryID: b, kind: .open, url: nil, userAgent: "Mozilla/5.0", at: t0 + 1)
        #expect(try await store.message(id: made[1].0.id)?.deliveries[0].state == .sent)  // a machine opens nothing

        // The period is matched on message ids, which are time-ordered (and, in this test process, may run
        // ahead of the clock: HeraldIDTests moves the shared generator forward), so the window is open-ended.
        let stats = try await store.templateStats(since: t0 - 1_000, until: t0 + 365 * 86_400_000, defaultLocale: "en")
        let en = try #require(stats.first { $0.locale == "en" })
        #expect(en == TemplateStats(template: "welcome", tier: "", locale: "en", channel: "email", deliveries: 2, sent: 2,
                                    opened: 1, machineOpened: 1, clicked: 1))
        #expect(en.openRate == 0.5 && en.clickToOpenRate == 1)
        #expect(stats.first { $0.locale == "zh-CN" }?.sent == 1)
        #expect(try await store.templateStats(since: t0 - 60_000, until: t0 - 1_000, defaultLocale: "en").isEmpty)
    }

    @Test(arguments: StoreBackend.allCases)
    func aMessageCountsUnderTheTierItWentOutUnder(backend: StoreBackend) async throws {
        let (store, cleanup) = try await backend.make()
        defer { cleanup() }
        let t0 = Timestamps.now()
        _ = try await store.upsertClient(Client(id: "acme", name: "Acme", tier: "growth"))
        var planned = [
            Fixtures.planned(to: [("email", "a@acme.example")], now: t0), Fixtures.planned(to: [("email", "b@acme.example")], now: t0),
        ]
        for i in planned.indices {
            planned[i].message.template = "welcome"
            planned[i].message.clientID = "acme"
        }
        planned[0].message.tier = "growth"       // accepted while Acme was on growth
        let made = try await store.enqueue(planned).compactMap(Fixtures.created)
        #expect(try await store.message(id: made[0].0.id)?.message.tier == "growth")
        // Acme moves up; the second message was stored before Herald kept the tier: it follows the client.
        _ = try await store.upsertClient(Client(id: "acme", name: "Acme", tier: "strategic"))
        let stats = try await store.templateStats(since: t0 - 1_000, until: t0 + 365 * 86_400_000, defaultLocale: "en")
        #expect(stats.map(\.tier).sorted() == ["growth", "strategic"])
        #expect(stats.allSatisfy { $0.deliveries == 1 })
    }
}
