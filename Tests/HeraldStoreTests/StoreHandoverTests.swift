import HeraldCore
import HeraldStore
import Testing

/// Wang leaves the CS team; Li Na takes over her book (客户交接).
@Suite struct StoreHandoverTests {
    static let wang = CSM(name: "Wang", email: "wang@cs.example", phone: "+8613911112222", wecomUserID: "wangf")
    static let liNa = CSM(name: "Li Na", email: "li.na@cs.example", wecomUserID: "lina")

    /// acme and beta are Wang's (beta's record spells her email in capitals), gamma is Zhao's.
    static func book(_ store: any Store, now: Int64) async throws {
        var beta = wang
        beta.email = "WANG@cs.example"
        for (id, csm) in [("acme", wang), ("beta", beta), ("gamma", CSM(name: "Zhao", email: "zhao@cs.example"))] {
            _ = try await store.upsertClient(Client(
                id: id, name: id.uppercased(), tier: "strategic", csm: csm,
                contacts: [Contact(id: "li", email: "li@\(id).example", phone: "+8613800138000")], createdAt: now, updatedAt: now))
        }
    }

    /// An email about `client`, replying to its CSM and mentioning them and the contact, as the API would enqueue it.
    static func email(client: String, csm: CSM, now: Int64) -> PlannedMessage {
        var request = MessageRequest(
            clientID: client, text: "QBR next week", destinations: [.init(channel: "email", address: "li@\(client).example")])
        request.replyTo = "\(csm.name) <\(csm.email ?? "")>"
        request.mentions = ["wecom:\(csm.wecomUserID ?? "")", "+8613800138000"]
        return PlannedMessage(request: request, now: now, actor: "test")
    }

    @Test(arguments: StoreBackend.allCases)
    func aHandoverMovesClientsOpenTasksAndWaitingMessagesInOneGo(backend: StoreBackend) async throws {
        let (store, cleanup) = try await backend.make()
        defer { cleanup() }
        let now = Timestamps.now()
        try await Self.book(store, now: now)
        let (_, task) = try await StoreTaskTests.openedCall(store, now: now)   // acme's call, Wang's task
        let sentID = try #require(Fixtures.created(try await store.enqueue([Self.email(client: "acme", csm: Self.wang, now: now)]).first)).0.id
        try await Fixtures.send(store, now: now)
        let waitingID = try #require(Fixtures.created(try await store.enqueue([Self.email(client: "acme", csm: Self.wang, now: now)]).first)).0.id
        let zhaosID = try #require(Fixtures.created(try await store.enqueue([
            Self.email(client: "gamma", csm: CSM(name: "Zhao", email: "zhao@cs.example"), now: now),
        ]).first)).0.id
        let notice = PlannedMessage(
            request: MessageRequest(idempotencyKey: "task:\(task.id):handover", text: "call Li",
                                    destinations: [.init(channel: "email", address: "li.na@cs.example")]),
            now: now, actor: "dispatcher")
        let summary = PlannedMessage(
            request: MessageRequest(idempotencyKey: "handover", text: "yours now", destinations: [.init(channel: "email", address: "li.na@cs.example")]),
            now: now, actor: "dispatcher")
        let told = HandoverNotices(
            task: { t, c in t.id == task.id && t.assignee == "li.na@cs.example" && c.csm == Self.liNa ? [notice] : [] },
            summary: { r in r.clients.map(\.id) == ["acme", "beta"] && r.tasks.count == 1 && r.formerName == "Wang" ? [summary] : [] })

        // The preview changes nothing.
        let preview = try await store.handOver(Handover(from: "Wang@CS.example", to: Self.liNa, dryRun: true), notices: told, actor: "cli:ops", now: now + 1)
        #expect(preview.clients.map(\.id) == ["acme", "beta"] && preview.tasks.map(\.id) == [task.id] && preview.messages == 1)
        #expect(try await store.client(id: "acme")?.csm == Self.wang)
        #expect(try await store.task(id: task.id)?.assignee == "wang@cs.example")
        #expect(try await store.message(id: notice.message.id) == nil)

        let done = try await store.handOver(Handover(from: "wang@cs.example", to: Self.liNa), notices: told, actor: "cli:ops", now: now + 2)
        #expect(done.clients.map(\.id) == ["acme", "beta"] && done.tasks.map(\.assignee) == ["li.na@cs.example"] && done.messages == 1)
        #expect(done.summary == summary.message.id && preview.summary == nil)
        #expect(try await store.message(id: summary.message.id)?.deliveries.map(\.destination) == ["li.na@cs.example"])
        for id in ["acme", "beta"] {
            let client = try #require(try await store.client(id: id))
            #expect(client.csm == Self.liNa && client.updatedAt == now + 2 && client.contacts.count == 1)
        }
        #expect(try await store.client(id: "gamma")?.csm?.name == "Zhao")
        #expect(try await store.clients(matching: ClientFilter(csm: "li.na@cs.example"), after: nil, limit: 10).map(\.id) == ["acme", "beta"])

        // The open call is Li Na's now, with an event, and she was told of it.
        let moved = try #require(try await store.task(id: task.id))
        #expect(moved.assignee == "li.na@cs.example" && moved.assigneeName == "Li Na" && moved.status == .open)
        #expect(try await store.tasks(matching: TaskQuery(assignee: "wang@cs.example", status: .open)).isEmpty)
        let call = try #require(try await store.message(id: task.messageID))
        #expect(call.events.contains { $0.type == "task_reassigned" && $0.actor == "cli:ops" && $0.detail?.contains("wang@cs.example") == true })
        #expect(try await store.message(id: notice.message.id)?.deliveries.map(\.destination) == ["li.na@cs.example"])

        // The waiting email replies to and mentions Li Na; the sent one and Zhao's client's are as they were.
        let waiting = try #require(try await store.message(id: waitingID))
        #expect(waiting.message.replyTo == "Li Na <li.na@cs.example>")
        #expect(waiting.message.mentions == ["+8613800138000", "wecom:lina"])
        #expect(waiting.events.contains { $0.type == "reassigned" && $0.actor == "cli:ops" })
        let sent = try #require(try await store.message(id: sentID))
        #expect(sent.message.replyTo == "Wang <wang@cs.example>" && sent.message.mentions == ["wecom:wangf", "+8613800138000"])
        #expect(try await store.message(id: zhaosID)?.message.replyTo == "Zhao <zhao@cs.example>")

        // Again: nobody has Wang as CSM any more.
        await #expect(throws: HeraldError.notFound("no client has the CSM wang@cs.example")) {
            try await store.handOver(Handover(from: "wang@cs.example", to: Self.liNa), notices: told, actor: "cli:ops", now: now + 3)
        }
    }

    @Test(arguments: StoreBackend.allCases)
    func namedClientsAreHandedAloneAndAClientOfSomeoneElseIsRefusedWithNothingChanged(backend: StoreBackend) async throws {
        let (store, cleanup) = try await backend.make()
        defer { cleanup() }
        let now = Timestamps.now()
        try await Self.book(store, now: now)
        let none = HandoverNotices()

        await #expect(throws: HeraldError.self) {
            try await store.handOver(Handover(from: "wang@cs.example", to: Self.liNa, clientIDs: ["beta", "gamma"]), notices: none, actor: "t", now: now)
        }
        #expect(try await store.client(id: "beta")?.csm?.name == "Wang")

        let split = try await store.handOver(Handover(from: "wang@cs.example", to: Self.liNa, clientIDs: ["beta"]), notices: none, actor: "t", now: now)
        #expect(split.clients.map(\.id) == ["beta"])
        #expect(try await store.client(id: "beta")?.csm == Self.liNa)
        #expect(try await store.client(id: "acme")?.csm == Self.wang)
    }
}
