import HeraldCore
import HeraldStore
import Testing

@Suite struct StoreBounceTests {
    @Test(arguments: StoreBackend.allCases)
    func aLateBounceFailsTheSentDeliverySuppressesTheAddressAndStartsTheFallback(backend: StoreBackend) async throws {
        // The relay took the email (250); an hour later the client's server reports the mailbox gone.
        let (store, cleanup) = try await backend.make()
        defer { cleanup() }
        let now = Timestamps.now()
        let request = MessageRequest(text: "hello", destinations: [
            .init(channel: "email", address: "Gone@Client.example", fallback: [.init(channel: "sms", destination: "+8613800138000")]),
        ])
        _ = try await store.enqueue([PlannedMessage(request: request, now: now, actor: "test")])
        let sent = try #require(try await Fixtures.send(store, now: now).first)
        let detail = "DSN failed 5.1.1: smtp; 550 5.1.1 user unknown"

        // Another address, or a delivery that does not exist, is not this delivery's bounce.
        #expect(try await store.recordBounce(deliveryID: sent.delivery.id, recipient: "other@client.example", addressRefused: true, detail: detail, at: now + 5) == .unknown)
        #expect(try await store.recordBounce(deliveryID: "dlv_01KC0Z3M5N6P7Q8R9S0T1V2W3X", recipient: "gone@client.example", addressRefused: true, detail: detail, at: now + 5) == .unknown)

        #expect(try await store.recordBounce(deliveryID: sent.delivery.id, recipient: "gone@client.EXAMPLE", addressRefused: true, detail: detail, at: now + 10) == .bounced)
        let message = try #require(try await store.message(id: sent.message.id))
        let email = try #require(message.deliveries.first { $0.id == sent.delivery.id })
        #expect(email.state == .failed && email.lastError == detail)
        #expect(message.events.contains { $0.type == "bounced" && $0.deliveryID == email.id && $0.detail == detail && $0.actor == "provider" })
        // The fallback took over, and the address is suppressed for every later message.
        #expect(message.deliveries.contains { $0.channel == "sms" && $0.state == .queued })
        let entries = try await store.suppressions(matching: SuppressionQuery(address: "gone@client.example"))
        #expect(entries.map(\.source) == ["bounce"] && entries.first?.deliveryID == email.id && entries.first?.reason == detail)

        // The same report again changes nothing.
        #expect(try await store.recordBounce(deliveryID: email.id, recipient: "gone@client.example", addressRefused: true, detail: detail, at: now + 20) == .unchanged(.failed))
        #expect(try await store.message(id: sent.message.id)?.events.filter { $0.type == "bounced" }.count == 1)
    }

    @Test(arguments: StoreBackend.allCases)
    func anOpenedDeliveryIsNotFailedByABounce(backend: StoreBackend) async throws {
        // Read by its recipient, it arrived: a report about a forwarded copy changes nothing.
        let (store, cleanup) = try await backend.make()
        defer { cleanup() }
        let now = Timestamps.now()
        _ = try await store.enqueue([Fixtures.planned(to: [("email", "li@client.example")], now: now)])
        let sent = try #require(try await Fixtures.send(store, now: now).first)
        #expect(try await store.recordEngagement(
            deliveryID: sent.delivery.id, kind: .open, url: nil, userAgent: "Mozilla/5.0 (Macintosh) AppleWebKit", at: now + 1))
        #expect(try await store.recordBounce(deliveryID: sent.delivery.id, recipient: "li@client.example", addressRefused: true, detail: "x", at: now + 2) == .unchanged(.opened))
        #expect(try await store.suppressions(matching: SuppressionQuery()).isEmpty)
    }

    @Test(arguments: StoreBackend.allCases)
    func aLateFailureThatIsNotTheAddressFailsTheDeliveryWithoutSuppressingIt(backend: StoreBackend) async throws {
        // The client's spam filter refused the welcome email (5.7.1): the delivery failed, but the
        // address is good, so the next message still goes.
        let (store, cleanup) = try await backend.make()
        defer { cleanup() }
        let now = Timestamps.now()
        _ = try await store.enqueue([Fixtures.planned(to: [("email", "li@client.example")], now: now)])
        let sent = try #require(try await Fixtures.send(store, now: now).first)
        let detail = "DSN failed 5.7.1: smtp; 550 5.7.1 message rejected as spam"
        #expect(try await store.recordBounce(
            deliveryID: sent.delivery.id, recipient: "li@client.example", addressRefused: false, detail: detail, at: now + 1) == .failed)
        let message = try #require(try await store.message(id: sent.message.id))
        #expect(message.deliveries.map(\.state) == [.failed])
        #expect(message.events.contains { $0.type == "failed" && $0.detail == detail } && !message.events.contains { $0.type == "bounced" })
        #expect(try await store.suppressions(matching: SuppressionQuery()).isEmpty)
        let next = try #require(Fixtures.created(try await store.enqueue([Fixtures.planned(to: [("email", "li@client.example")], now: now + 2)]).first))
        #expect(next.1.map(\.state) == [.queued])
    }
}
