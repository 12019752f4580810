import HeraldCore
import HeraldStore
import Testing

/// A delivery the suppression list stops goes on to its tier's fallback when the entry says the
/// address cannot be reached (a hard bounce, a wrong number, a STOP to that channel), as the
/// provider's own refusal would have; never past an unsubscribe or an operator's entry.
@Suite struct StoreSuppressedFallbackTests {
    static let number = "+8613800138000"

    /// An email to `address` whose fallback is a text, then a call, to the same person.
    static func email(
        to address: String, category: MessageRequest.Category = .transactional, sendAt: Int64? = nil, now: Int64
    ) -> PlannedMessage {
        let request = MessageRequest(text: "Your kickoff is on Thursday", destinations: [
            .init(channel: "email", address: address, fallback: [
                .init(channel: "sms", destination: number), .init(channel: "phone", destination: number),
            ]),
        ], sendAt: sendAt, category: category)
        return PlannedMessage(request: request, now: now, actor: "token:crm")
    }

    static func entry(_ address: String, source: Suppression.Source, category: String = "all", now: Int64) -> Suppression {
        Suppression(
            address: address, category: category, source: source.rawValue, reason: "\(source.rawValue) reason",
            deliveryID: nil, actor: source == .manual ? "cli:ops" : nil, createdAt: now)
    }

    @Test(arguments: StoreBackend.allCases)
    func aHardBouncedAddressStartsTheFallbackAtEnqueue(backend: StoreBackend) async throws {
        // The address bounced last month; this week's kickoff reminder goes by text instead.
        let (store, cleanup) = try await backend.make()
        defer { cleanup() }
        let now = Timestamps.now()
        _ = try await store.suppress(Self.entry("gone@client.example", source: .bounce, now: now - 1_000))
        let (message, made) = try #require(Fixtures.created(try await store.enqueue([Self.email(to: "Gone@Client.example", now: now)]).first))

        // The answer already shows the text that takes over, carrying the rest of the chain.
        #expect(made.map(\.channel) == ["email", "sms"] && made.map(\.state) == [.suppressed, .queued])
        #expect(made[1].purpose == "fallback" && made[1].destination == Self.number && made[1].dueAt == now)
        #expect(made[1].fallback == [FallbackStep(channel: "phone", destination: Self.number)])

        let stored = try #require(try await store.message(id: message.id))
        #expect(Set(stored.deliveries.map(\.id)) == Set(made.map(\.id)))
        let fallback = try #require(stored.events.first { $0.type == "fallback" })
        #expect(fallback.deliveryID == made[1].id && fallback.actor == "token:crm")
        #expect(fallback.detail == "email is suppressed (bounce: bounce reason); trying sms")

        // The dispatcher sends it like any other text.
        let claimed = try await store.claim(channel: "sms", limit: 10, now: now, leaseUntil: now + 60_000, owner: "w")
        #expect(claimed.map(\.delivery.id) == [made[1].id])
        let depth = try await store.queueDepth()
        #expect(depth[.suppressed] == 1 && depth[.sending] == 1)
    }

    @Test(arguments: StoreBackend.allCases)
    func aScheduledMessagesFallbackWaitsForItsSendTime(backend: StoreBackend) async throws {
        let (store, cleanup) = try await backend.make()
        defer { cleanup() }
        let now = Timestamps.now()
        _ = try await store.suppress(Self.entry("gone@client.example", source: .bounce, now: now))
        let sendAt = now + 3_600_000
        let (_, made) = try #require(Fixtures.created(try await store.enqueue([
            Self.email(to: "gone@client.example", sendAt: sendAt, now: now),
        ]).first))
        #expect(made.map(\.state) == [.suppressed, .scheduled] && made[1].dueAt == sendAt)
        #expect(try await store.claim(channel: "sms", limit: 10, now: now, leaseUntil: now + 60_000, owner: "w").isEmpty)
        #expect(try await store.claim(channel: "sms", limit: 10, now: sendAt, leaseUntil: sendAt + 60_000, owner: "w").count == 1)
    }

    @Test(arguments: StoreBackend.allCases)
    func anUnsubscribeOrAnOperatorsEntryStopsTheMessageWithoutAFallback(backend: StoreBackend) async throws {
        // The person said no to marketing, and ops put a legal hold on another address: a text
        // instead would go around their "no".
        let (store, cleanup) = try await backend.make()
        defer { cleanup() }
        let now = Timestamps.now()
        _ = try await store.suppress([
            Self.entry("li@client.example", source: .unsubscribe, category: "marketing", now: now),
            Self.entry("hold@client.example", source: .manual, now: now),
            // Both a hold and a hard bounce: the hold wins, whichever order the store reads them in.
            Self.entry("both@client.example", source: .manual, category: "marketing", now: now),
            Self.entry("both@client.example", source: .bounce, now: now),
        ])
        let results = try await store.enqueue([
            Self.email(to: "li@client.example", category: .marketing, now: now),
            Self.email(to: "hold@client.example", now: now),
            Self.email(to: "both@client.example", category: .marketing, now: now),
        ])
        for result in results {
            let (message, made) = try #require(Fixtures.created(result))
            #expect(made.map(\.state) == [.suppressed])
            #expect(try await store.message(id: message.id)?.deliveries.count == 1)
        }
        #expect(try #require(Fixtures.created(results[2])).1[0].lastError == "suppressed: manual: manual reason")
        // A transactional message to the address a bounce alone stops does fall back.
        let (_, made) = try #require(Fixtures.created(try await store.enqueue([Self.email(to: "both@client.example", now: now)]).first))
        #expect(made.map(\.state) == [.suppressed, .queued] && made[0].lastError == "suppressed: bounce: bounce reason")
    }

    @Test(arguments: StoreBackend.allCases)
    func anAddressThatBouncesWhileADeliveryWaitsStartsTheFallbackAtItsClaim(backend: StoreBackend) async throws {
        let (store, cleanup) = try await backend.make()
        defer { cleanup() }
        let now = Timestamps.now()
        let (message, _) = try #require(Fixtures.created(try await store.enqueue([
            Self.email(to: "li@client.example", sendAt: now + 1_000, now: now),
            Self.email(to: "hold@client.example", sendAt: now + 1_000, now: now),
        ]).first))
        // Before it goes: another message's hard bounce, and an operator's hold on the other address.
        _ = try await store.suppress([
            Self.entry("li@client.example", source: .bounce, now: now + 500),
            Self.entry("hold@client.example", source: .manual, now: now + 500),
        ])
        let at = now + 1_000
        #expect(try await store.claim(channel: "email", limit: 10, now: at, leaseUntil: at + 60_000, owner: "w").isEmpty)
        let stored = try #require(try await store.message(id: message.id))
        #expect(stored.deliveries.map(\.channel) == ["email", "sms"] && stored.deliveries.map(\.state) == [.suppressed, .queued])
        let fallback = try #require(stored.events.first { $0.type == "fallback" })
        #expect(fallback.actor == "dispatcher" && fallback.detail == "email is suppressed (bounce: bounce reason); trying sms")
        let claimed = try await store.claim(channel: "sms", limit: 10, now: at, leaseUntil: at + 60_000, owner: "w")
        #expect(claimed.map(\.message.id) == [message.id] && claimed.first?.delivery.purpose == "fallback")
        // The held address's message ended suppressed, and nothing took over.
        let depth = try await store.queueDepth()
        #expect(depth[.suppressed] == 2 && depth[.sending] == 1 && (depth[.queued] ?? 0) == 0)
    }
}
