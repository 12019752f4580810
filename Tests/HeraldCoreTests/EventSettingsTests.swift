import HeraldCore
import Testing

@Suite struct EventSettingsTests {
    func parse(_ text: String) throws -> HeraldConfig {
        try ConfigLoader.parse(text, file: "herald.toml", baseDirectory: "/etc/herald")
    }

    @Test func subscriptionsAndRetriesAreRead() throws {
        let config = try parse("""
            [events]
            max_attempts = 4
            retry_base = "2s"
            timeout = "3s"
            allow_private_networks = true
            [subscriptions.crm]
            url = "https://crm.example/herald"
            types = ["delivery.opened", "task.completed"]
            secret = "file:secrets/crm"
            [subscriptions.all]
            url = "https://bi.example/events"
            secret = "env:BI_SECRET"
            """)
        #expect(config.events.retry.maxAttempts == 4 && config.events.retry.base == 2_000 && config.events.timeout == 3_000)
        #expect(config.events.allowPrivateNetworks)
        #expect(config.events.declared.map(\.name) == ["all", "crm"])
        #expect(config.events.declared[1].topics == [.deliveryOpened, .taskCompleted])
        #expect(config.events.declared[1].secret == .file("/etc/herald/secrets/crm"))
        #expect(config.events.declared[0].topics == Set(EventTopic.allCases))
    }

    @Test func badSubscriptionsNameTheKey() {
        #expect {
            _ = try parse("""
                [subscriptions.crm]
                url = "ftp://crm.example"
                types = ["delivery.maybe"]
                secret = "whsec_literal"
                """)
        } throws: { error in
            let text = (error as? HeraldError)?.detail ?? ""
            return text.contains("herald.toml:2: [subscriptions.crm] url") && text.contains("herald.toml:3: [subscriptions.crm] types")
                && text.contains("herald.toml:4: [subscriptions.crm] secret")
        }
        #expect(throws: HeraldError.self) { _ = try parse("[subscriptions.crm]\nurl = \"https://x.example\"\n") }
    }

    @Test func eventTypesMapToTopics() {
        #expect(EventTopic(eventType: "sent") == .deliverySent)
        #expect(EventTopic(eventType: "dead") == .deliveryFailed && EventTopic(eventType: "expired") == .deliveryFailed)
        #expect(EventTopic(eventType: "task_completed") == .taskCompleted)
        #expect(EventTopic(eventType: "queued") == nil && EventTopic(eventType: "postponed") == nil)
        #expect(Set(EventTopic.eventTypes(for: [.deliveryFailed])) == ["failed", "dead", "expired"])
        #expect(EventTopic(eventType: "cancelled") == .deliveryCancelled && EventTopic(eventType: "task_cancelled") == .taskCancelled)
        #expect(EventTopic(eventType: "suppressed") == .deliverySuppressed)
        // The escalation timer's own stop is bookkeeping, like its firing or skipping.
        #expect(EventTopic(eventType: "escalation_cancelled") == nil)
        // Every topic is reachable from some event type the store writes.
        for topic in EventTopic.allCases { #expect(!EventTopic.eventTypes(for: [topic]).isEmpty, "\(topic) has no event type") }
    }

    @Test(arguments: [
        ("Mozilla/5.0", EngagementActor.machine), (nil, EngagementActor.machine), ("", EngagementActor.machine),
        ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0", EngagementActor.person),
        ("Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)", EngagementActor.person),
        ("Barracuda Sentinel (EE)", EngagementActor.machine), ("Mozilla/5.0 (compatible; bingbot/2.0)", EngagementActor.machine),
        ("Microsoft Office Protocol Discovery", EngagementActor.machine),
    ] as [(String?, String)])
    func userAgentsAreToldApart(agent: String?, actor: String) {
        #expect(EngagementActor.classify(userAgent: agent) == actor)
    }
}
