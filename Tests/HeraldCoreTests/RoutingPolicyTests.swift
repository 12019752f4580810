import Foundation
import HeraldCore
import Testing

@Suite struct RoutingPolicyTests {
    static let policy = RoutingPolicy(
        tiers: [
            "strategic": TierPlan(name: "strategic", channels: ["email", "crm"]),
            "smb": TierPlan(name: "smb", channels: ["email"]),
        ],
        channels: ["email": .email, "crm": .webhook, "audit": .webhook])

    static let acme = Client(
        id: "acme", name: "Acme", tier: "strategic", csm: CSM(name: "Wang Fang", email: "wang@herald.example"),
        contacts: [
            Contact(id: "li", email: "li@acme.example"),
            Contact(id: "zhao", email: "zhao@acme.example", optOuts: [.marketing]),
            Contact(id: "phone-only", phone: "+8613800138000"),
        ],
        endpoints: ["crm": "https://crm.acme.example/hooks/herald"])

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var tier: String
        var override: [String]?
        var category: MessageRequest.Category
        var endpoints: [String: String]
        /// channel:address[:suppressed] for each route; "-" for an address-less (skipped) route.
        var expected: [String]
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "strategic fans out to every emailed contact and the CRM", tier: "strategic", override: nil,
             category: .transactional, endpoints: acme.endpoints,
             expected: ["email:li@acme.example", "email:zhao@acme.example", "crm:https://crm.acme.example/hooks/herald"]),
        Case(name: "marketing opt-out is recorded as suppressed, not dropped", tier: "strategic", override: nil,
             category: .marketing, endpoints: acme.endpoints,
             expected: ["email:li@acme.example", "email:zhao@acme.example:suppressed", "crm:https://crm.acme.example/hooks/herald"]),
        Case(name: "smb gets email only", tier: "smb", override: nil, category: .transactional, endpoints: acme.endpoints,
             expected: ["email:li@acme.example", "email:zhao@acme.example"]),
        Case(name: "override replaces the tier's channels", tier: "smb", override: ["crm"], category: .transactional,
             endpoints: acme.endpoints, expected: ["crm:https://crm.acme.example/hooks/herald"]),
        Case(name: "a missing endpoint is skipped with a reason", tier: "strategic", override: nil, category: .transactional,
             endpoints: [:], expected: ["email:li@acme.example", "email:zhao@acme.example", "crm:-"]),
    ]

    @Test func aVoiceChannelCallsOneContactWithAPhone() throws {
        let policy = RoutingPolicy(
            tiers: ["vip": TierPlan(name: "vip", channels: ["email", "robocall"])], channels: ["email": .email, "robocall": .voice])
        var client = Self.acme
        client.tier = "vip"
        let routes = try policy.routes(for: client, override: nil, category: .transactional)
        let calls = routes.filter { $0.channel == "robocall" }
        #expect(calls.count == 1 && calls[0].address == "+8613800138000" && calls[0].suppressedReason == nil)
        #expect(calls[0].contactID == "phone-only" && calls[0].rule.contains("automated call"))
        client.contacts = client.contacts.filter { $0.phone == nil }
        let none = try policy.routes(for: client, override: nil, category: .transactional).filter { $0.channel == "robocall" }
        #expect(none.count == 1 && none[0].address == nil && none[0].suppressedReason == "no contact has a phone")
        #expect(ChannelKind.voice.problem(with: "+8613800138000") == nil && ChannelKind.voice.problem(with: "13800138000") != nil)
    }

    @Test(arguments: cases)
    func routes(c: Case) throws {
        var client = Self.acme
        client.tier = c.tier
        client.endpoints = c.endpoints
        let routes = try Self.policy.routes(for: client, override: c.override, category: c.category)
        let shape = routes.map { r in
            "\(r.channel):\(r.address ?? "-")" + (r.address != nil && r.suppressedReason != nil ? ":suppressed" : "")
        }
        #expect(shape == c.expected)
        #expect(routes.allSatisfy { !$0.rule.isEmpty })
        if c.override != nil { #expect(routes.allSatisfy { $0.rule.hasPrefix("channels override") }) }
    }

    @Test func unknownTierOrChannelIsAnErrorNamingIt() {
        var client = Self.acme
        client.tier = "platinum"
        #expect(throws: HeraldError.self) { _ = try Self.policy.routes(for: client, override: nil, category: .transactional) }
        #expect {
            _ = try Self.policy.routes(for: Self.acme, override: ["pager"], category: .transactional)
        } throws: { ($0 as? HeraldError)?.fields.first?.name == "channels" }
    }

    @Test func clientBodiesAreValidatedFieldByField() {
        let body = try? JSONValue.parse(Array("""
            {"name": "Acme", "tier": "gold", "timezone": "Mars/Olympus", "colour": 1,
             "csm": {"name": "Wang", "phone": "13800138000"},
             "contacts": [{"email": "not-an-email"}, {"email": "li@acme.example", "opt_outs": ["spam"]}],
             "endpoints": {"crm": "ftp://x"}}
            """.utf8))
        #expect {
            _ = try ClientJSON.parse(body ?? .null, id: "acme", tiers: Self.policy.tiers, channels: Self.policy.channels, now: 0)
        } throws: { error in
            let names = Set((error as? HeraldError)?.fields.map(\.name) ?? [])
            return names == ["colour", "tier", "timezone", "csm.phone", "contacts[0].email", "contacts[1].opt_outs[0]", "endpoints.crm"]
        }
    }

    @Test(arguments: [("+8613800138000", true), ("+14155550100", true), ("13800138000", false), ("+0123456789", false),
                      ("+12", false), ("+1234567890123456", false), ("+86 138", false)])
    func e164(text: String, valid: Bool) {
        #expect((DestinationRules.phoneProblem(text) == nil) == valid)
    }
}

@Suite struct QuietHoursTests {
    static let shanghai = TimeZone(identifier: "Asia/Shanghai")!

    /// Epoch ms of a Shanghai local time on 2026-11-23.
    static func local(_ hour: Int, _ minute: Int, dayOffset: Int = 0) -> Int64 {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = shanghai
        let date = calendar.date(from: DateComponents(year: 2026, month: 11, day: 23 + dayOffset, hour: hour, minute: minute))!
        return Int64(date.timeIntervalSince1970 * 1000)
    }

    @Test(arguments: [
        ("21:00-08:00", 22, 30, local(8, 0, dayOffset: 1)),   // evening: held until tomorrow 08:00
        ("21:00-08:00", 3, 15, local(8, 0)),                   // early morning: held until 08:00 today
        ("21:00-08:00", 12, 0, local(12, 0)),                  // daytime: not held
        ("21:00-08:00", 8, 0, local(8, 0)),                    // the end is outside the window
        ("12:00-13:30", 12, 45, local(13, 30)),                // a lunch window that does not wrap
        ("12:00-13:30", 21, 0, local(21, 0)),
    ] as [(String, Int, Int, Int64)])
    func release(window: String, hour: Int, minute: Int, expected: Int64) throws {
        let hours = try #require(QuietHours(parsing: window))
        #expect(hours.release(at: Self.local(hour, minute), timezone: Self.shanghai) == expected)
    }

    @Test(arguments: ["", "21:00", "25:00-08:00", "21:00-08:60", "08:00-08:00", "9-17"])
    func badWindows(text: String) {
        #expect(QuietHours(parsing: text) == nil)
    }

    @Test func urgentMessagesAndTiersWithoutWindowsAreNotHeld() {
        let policy = RoutingPolicy(
            tiers: ["smb": TierPlan(name: "smb", channels: ["email"], quietHours: QuietHours(parsing: "21:00-08:00"))],
            channels: ["email": .email])
        let client = Client(id: "c", name: "C", tier: "smb", timezone: "Asia/Shanghai")
        let night = Self.local(23, 0)
        #expect(policy.hold(for: client, sendAt: nil, priority: .normal, now: night)?.0 == Self.local(8, 0, dayOffset: 1))
        #expect(policy.hold(for: client, sendAt: nil, priority: .urgent, now: night) == nil)
        #expect(policy.hold(for: client, sendAt: nil, priority: .normal, now: Self.local(10, 0)) == nil)
    }
}

@Suite struct EscalationTimingTests {
    static func policy(quietHours: String?) -> RoutingPolicy {
        var plan = TierPlan(name: "strategic", channels: ["email"], quietHours: quietHours.flatMap(QuietHours.init(parsing:)))
        plan.escalation = Escalation(after: 2 * 3_600_000, unless: .opened, channel: "sms")
        return RoutingPolicy(tiers: ["strategic": plan], channels: ["email": .email, "sms": .sms])
    }

    static let client = Client(
        id: "xinghe", name: "Xinghe", tier: "strategic", timezone: "Asia/Shanghai",
        contacts: [Contact(id: "li", name: "Li", email: "li@xinghe.example", phone: "+8613900139000")])

    @Test func theTimerCountsFromWhenTheMessageGoesOutNotWhenItWasAccepted() throws {
        // Scheduled for tomorrow 10:00: "unless opened within 2 h" means by 12:00 tomorrow, not 2 h
        // after it was accepted (when nothing had been sent yet, so nothing could have been opened).
        let now = QuietHoursTests.local(9, 0)
        let sendAt = QuietHoursTests.local(10, 0, dayOffset: 1)
        let e = try #require(Self.policy(quietHours: nil).escalation(for: Self.client, startsAt: sendAt, priority: .normal).0)
        #expect(e.dueAt == QuietHoursTests.local(12, 0, dayOffset: 1))
        #expect(try #require(Self.policy(quietHours: nil).escalation(for: Self.client, startsAt: now, priority: .normal).0).dueAt
            == QuietHoursTests.local(11, 0))
    }

    @Test func anEscalationDueInQuietHoursWaitsForThemToEndUnlessUrgent() throws {
        // Sent 20:00, 2 h later is 22:00, inside 21:00–08:00: no text message to the client at night.
        let policy = Self.policy(quietHours: "21:00-08:00")
        let evening = QuietHoursTests.local(20, 0)
        let normal = try #require(policy.escalation(for: Self.client, startsAt: evening, priority: .normal).0)
        #expect(normal.dueAt == QuietHoursTests.local(8, 0, dayOffset: 1))
        let urgent = try #require(policy.escalation(for: Self.client, startsAt: evening, priority: .urgent).0)
        #expect(urgent.dueAt == QuietHoursTests.local(22, 0))
    }
}

@Suite struct FallbackQuietHoursTests {
    @Test func aStepKeepsTheTiersQuietHoursUnlessTheMessageIsUrgent() throws {
        let plan = TierPlan(name: "smb", channels: ["webhook"], fallback: ["sms"], quietHours: QuietHours(parsing: "21:00-08:00"))
        let policy = RoutingPolicy(tiers: ["smb": plan, "vip": TierPlan(name: "vip", channels: ["webhook"])], channels: ["sms": .sms])
        let step = FallbackStep(channel: "sms", destination: "+8613900139000")
        let client = Client(id: "c", name: "C", tier: "smb", timezone: "Asia/Shanghai")
        let kept = try #require(policy.keepingQuietHours([step], for: client, priority: .normal).first)
        #expect(kept.quiet == QuietWindow(hours: try #require(QuietHours(parsing: "21:00-08:00")), timezone: QuietHoursTests.shanghai))
        #expect(kept.quiet?.description == "21:00-08:00 (Asia/Shanghai)")
        #expect(policy.keepingQuietHours([step], for: client, priority: .urgent) == [step])
        var vip = client
        vip.tier = "vip"
        #expect(policy.keepingQuietHours([step], for: vip, priority: .normal) == [step])
        // The dispatcher asks with the tier the message was accepted under, which wins over today's.
        #expect(policy.quietWindow(for: vip, tier: "smb", priority: .normal) == kept.quiet)
        #expect(policy.quietWindow(for: client, tier: "vip", priority: .normal) == nil)
        #expect(policy.hasQuietHours && !RoutingPolicy(tiers: ["vip": TierPlan(name: "vip", channels: [])], channels: [:]).hasQuietHours)

        // A failure at 23:00 Shanghai time queues the step for 08:00; one at noon goes at once.
        #expect(kept.release(at: QuietHoursTests.local(23, 0)) == QuietHoursTests.local(8, 0, dayOffset: 1))
        #expect(kept.release(at: QuietHoursTests.local(12, 0)) == QuietHoursTests.local(12, 0))
        #expect(step.release(at: QuietHoursTests.local(23, 0)) == QuietHoursTests.local(23, 0))
    }

    @Test func chainsRoundTripAndChainsStoredBeforeReadAsBefore() throws {
        let quiet = QuietWindow(hours: try #require(QuietHours(parsing: "21:00-08:00")), timezone: QuietHoursTests.shanghai)
        let chain = [
            FallbackStep(channel: "sms", destination: "+8613900139000", quiet: quiet),
            FallbackStep(channel: "email", destination: "li@xinghe.example"),
        ]
        #expect(FallbackStep.decode(FallbackStep.encode(chain)) == chain)
        #expect(FallbackStep.encode([chain[0]])
            == #"[{"channel":"sms","destination":"+8613900139000","quiet_hours":"21:00-08:00","timezone":"Asia/Shanghai"}]"#)
        let stored = #"[{"channel":"email","destination":"li@xinghe.example"}]"#
        #expect(FallbackStep.decode(stored) == [FallbackStep(channel: "email", destination: "li@xinghe.example")])
        #expect(FallbackStep.encode([chain[1]]) == stored)
    }
}

@Suite struct FallbackRoutingTests {
    @Test func eachSentRouteCarriesTheTiersFallbackForTheSamePerson() throws {
        let policy = RoutingPolicy(
            tiers: ["smb": TierPlan(name: "smb", channels: ["email"], fallback: ["crm", "email"])],
            channels: ["email": .email, "crm": .webhook])
        var client = RoutingPolicyTests.acme
        client.tier = "smb"
        let routes = try policy.routes(for: client, override: nil, category: .marketing)
        let li = try #require(routes.first { $0.contactID == "li" })
        #expect(li.fallback == [FallbackStep(channel: "crm", destination: "https://crm.acme.example/hooks/herald")])
        let zhao = try #require(routes.first { $0.contactID == "zhao" })
        #expect(zhao.suppressedReason != nil && zhao.fallback.isEmpty)   // suppressed routes never fall back
        #expect(FallbackStep.decode(FallbackStep.encode(li.fallback)) == li.fallback)
    }
}
