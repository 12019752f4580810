import HeraldCore
import HeraldStore
import Testing

@Suite struct StoreClientDeletionTests {
    @Test(arguments: StoreBackend.allCases)
    func deletingAClientStopsWhatIsLeftOfItsMessagesAndKeepsTheirHistory(backend: StoreBackend) async throws {
        let (store, cleanup) = try await backend.make()
        defer { cleanup() }
        let now = Timestamps.now()
        _ = try await store.upsertClient(Client(
            id: "acme", name: "Acme", tier: "strategic", contacts: [Contact(id: "li", name: "Li", email: "li@acme.example")]))
        _ = try await store.upsertClient(Client(id: "globex", name: "Globex", tier: "strategic"))
        func planned(_ client: String, sendAt: Int64? = nil) -> PlannedMessage {
            Fixtures.planned(to: [("email", "li@\(client).example")], clientID: client, sendAt: sendAt, now: now)
        }
        // acme: one message already sent, one scheduled, and a call task waiting for its CSM.
        let sent = try #require(Fixtures.created(try await store.enqueue([planned("acme")]).first))
        try await Fixtures.send(store, now: now)
        let scheduled = try #require(Fixtures.created(try await store.enqueue([planned("acme", sendAt: now + 60_000)]).first))
        let (call, task) = try await StoreTaskTests.openedCall(store, now: now)   // (a message of client "acme")
        let other = try #require(Fixtures.created(try await store.enqueue([planned("globex", sendAt: now + 60_000)]).first))

        let deletion = try #require(try await store.deleteClient(id: "acme", actor: "token:crm", now: now + 10))
        #expect(Set(deletion.messages) == [scheduled.0.id, call.message.id])
        #expect(deletion.deliveriesCancelled == scheduled.1.map(\.id))   // (the call's delivery is sent: its task is what waits)
        #expect(deletion.tasksCancelled == [task.id])
        #expect(try await store.client(id: "acme") == nil)
        #expect(try await store.deleteClient(id: "acme", actor: "token:crm", now: now + 20) == nil)

        // The history stays, each stop recorded with why.
        let stopped = try #require(try await store.message(id: scheduled.0.id))
        #expect(stopped.deliveries.map(\.state) == [.cancelled])
        #expect(stopped.events.contains { $0.type == "cancelled" && $0.actor == "token:crm" && $0.detail == "client acme was deleted" })
        #expect(try await store.message(id: sent.0.id)?.deliveries.map(\.state) == [.sent])
        #expect(try await store.task(id: task.id)?.status == .cancelled)
        // Another client's messages are untouched.
        #expect(try await store.message(id: other.0.id)?.deliveries.map(\.state) == [.scheduled])
        #expect(try await store.client(id: "globex") != nil)
    }
}
