import HeraldCore
import HeraldStore
import Testing

/// Erasing a person on both backends: their deliveries, the content of their messages, errors and
/// event details naming them, their contacts; what is not theirs stays; a dry run changes nothing.
@Suite struct StoreErasureTests {
    @Test(arguments: StoreBackend.allCases)
    func aPersonIsErasedAndEveryoneElseStays(backend: StoreBackend) async throws {
        let (store, cleanup) = try await backend.make()
        defer { cleanup() }
        let now = Timestamps.now()
        _ = try await store.upsertClient(Client(
            id: "xinghe", name: "星河科技", tier: "strategic", contacts: [
                Contact(id: "li", name: "李雷", email: "Li.Lei@XingHe.example", phone: "+8613900139000"),
                Contact(id: "han", name: "韩梅梅", email: "han@xinghe.example"),
            ]))
        // Bounced by Li's server with an error naming the address; sent to Li; to Li (email and text)
        // and Han together, scheduled; to Han alone.
        let bounced = try #require(Fixtures.created(try await store.enqueue([
            Fixtures.planned(to: [("email", "Li.Lei@XingHe.example")], text: "Kickoff", clientID: "xinghe", now: now),
        ]).first))
        let claimed = try await store.claim(channel: "email", limit: 10, now: now, leaseUntil: now + 60_000, owner: "w")
        let error = "550 5.1.1 <li.lei@xinghe.example>: Recipient address rejected"
        try await store.record(claimed.map { c in
            DeliveryResult(
                report: AttemptReport(deliveryID: c.delivery.id, messageID: c.message.id, channel: "email", number: 1, startedAt: now,
                                      durationMillis: 1, statusCode: 550, outcome: .failed(reason: error)),
                newState: .failed, nextDueAt: nil, error: error, providerID: nil)
        })
        #expect(try await store.message(id: bounced.0.id)?.attempts.first?.error?.contains("li.lei@") == true)
        let toLi = try #require(Fixtures.created(try await store.enqueue([
            Fixtures.planned(to: [("email", "LI.LEI@xinghe.example")], text: "Hi Li, welcome", clientID: "xinghe", now: now),
        ]).first))
        try await Fixtures.send(store, now: now)
        let both = try #require(Fixtures.created(try await store.enqueue([
            Fixtures.planned(
                to: [("email", "li.lei@xinghe.example"), ("email", "han@xinghe.example"), ("sms", "+8613900139000")],
                text: "QBR on Friday", clientID: "xinghe", sendAt: now + 3_600_000, now: now),
        ]).first))
        let toHan = try #require(Fixtures.created(try await store.enqueue([
            Fixtures.planned(to: [("email", "han@xinghe.example")], text: "Hi Han", clientID: "xinghe", sendAt: now + 3_600_000, now: now),
        ]).first))

        try await store.recordAudit([.make(
            .suppressionAdded, subject: "li.lei@xinghe.example", detail: "all: Li.Lei@XingHe.example asked", actor: "token:ops", at: now)])
        let request = try Erasure.Request.parse(
            addresses: ["li.lei@XINGHE.example", "+8613900139000", " li.lei@xinghe.example "], reason: "DSAR-17", dryRun: true,
            actor: "cli:dpo", now: now + 10)
        #expect(request.addresses == ["li.lei@xinghe.example", "+8613900139000"])
        // A dry run counts and changes nothing.
        let preview = try await store.erasePerson(request)
        #expect(preview.deliveries == 4 && preview.messages == 3 && preview.contacts == 1 && preview.clientIDs == ["xinghe"])
        #expect(try await store.message(id: toLi.0.id)?.message.text == "Hi Li, welcome")
        #expect(try await store.audit(matching: AuditQuery(action: "person")).isEmpty)

        var erasing = request
        erasing.dryRun = false
        let erased = try await store.erasePerson(erasing)
        #expect(erased == preview)
        // Li's deliveries show the marker; their messages lost their content; what had not gone is cancelled.
        let liMessage = try #require(try await store.message(id: toLi.0.id))
        #expect(liMessage.deliveries.map(\.destination) == [Erasure.marker] && liMessage.deliveries.map(\.state) == [.sent])
        #expect(liMessage.message.text == nil && liMessage.message.data == "{}")
        let shared = try #require(try await store.message(id: both.0.id))
        #expect(shared.message.text == nil)
        #expect(shared.deliveries.map(\.destination).sorted() == [Erasure.marker, Erasure.marker, "han@xinghe.example"].sorted())
        #expect(shared.deliveries.allSatisfy { $0.state == .cancelled })      // its content is gone: Han's copy too
        #expect(shared.events.contains { $0.type == "cancelled" && $0.detail == Erasure.cancelReason && $0.actor == "cli:dpo" })
        // Han's own message and the contact stay; Li's contact is gone.
        let hanMessage = try #require(try await store.message(id: toHan.0.id))
        #expect(hanMessage.message.text == "Hi Han" && hanMessage.deliveries.map(\.state) == [.scheduled])
        #expect(try await store.client(id: "xinghe")?.contacts.map(\.id) == ["han"])
        // Nothing left names Li's address, in any case.
        let redacted = try #require(try await store.message(id: bounced.0.id))
        #expect(redacted.attempts.map(\.error) == ["550 5.1.1 <(erased)>: Recipient address rejected"])
        #expect(redacted.deliveries.map(\.lastError) == ["550 5.1.1 <(erased)>: Recipient address rejected"])
        for id in [bounced.0.id, toLi.0.id, both.0.id] {
            let detail = try #require(try await store.message(id: id))
            let text = "\(detail)".lowercased()
            #expect(!text.contains("li.lei@xinghe.example") && !text.contains("8613900139000"), "\(text)")
        }
        // The audit log has it, without the addresses.
        let earlier = try await store.audit(matching: AuditQuery(action: "suppression.added"))
        #expect(earlier.map(\.subject) == [Erasure.marker] && earlier.map(\.detail) == ["all: (erased) asked"])
        let entries = try await store.audit(matching: AuditQuery(action: "person.erased"))
        #expect(entries.count == 1 && entries[0].actor == "cli:dpo" && entries[0].subject == "-")
        #expect(entries[0].detail.contains("4 deliveries, 3 messages, 1 contact") && entries[0].detail.contains("why: DSAR-17"))
        #expect(!entries[0].detail.lowercased().contains("li.lei"))
        // A redrive of what failed leaves the erased delivery alone.
        let redrive = try await store.redrive(RedriveRequest(states: [.failed], actor: "cli:ops", now: now + 20))
        #expect(redrive.items.map(\.skipped) == [StoreText.RedriveSkip.erased])
        // Again: nothing left to erase.
        let again = try await store.erasePerson(erasing)
        #expect(again.deliveries == 0 && again.contacts == 0)
    }

    @Test func requestsAreCheckedAddressByAddress() throws {
        do {
            _ = try Erasure.Request.parse(addresses: ["ok@x.example", "not an address", "+12"], reason: nil, dryRun: false, actor: "a", now: 0)
            Issue.record("accepted")
        } catch let error as HeraldError {
            #expect(error.fields.map(\.name) == ["addresses[1]", "addresses[2]"])
        }
        #expect(throws: HeraldError.self) {
            try Erasure.Request.parse(addresses: [], reason: nil, dryRun: false, actor: "a", now: 0)
        }
        #expect(throws: HeraldError.self) {
            try Erasure.Request.parse(addresses: ["a@x.example"], reason: "two\nlines", dryRun: false, actor: "a", now: 0)
        }
        #expect(Erasure.redact("550 5.1.1 <LI@X.example>: no such user", ["li@x.example"]) == "550 5.1.1 <(erased)>: no such user")
        #expect(Erasure.redact("Twilio: 8613900139000 unreachable", Erasure.variants(["+8613900139000"])) == "Twilio: (erased) unreachable")
        #expect(Erasure.redact("HTTP 500", ["li@x.example"]) == nil)
    }
}
