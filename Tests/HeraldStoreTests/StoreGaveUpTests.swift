import Foundation
import HeraldCore
import HeraldStore
import Testing

/// ``Store/gaveUp(clientIDs:since:createdSince:limit:)`` on both backends: what a CSM digest counts
/// and lists as "did not arrive".
@Suite struct StoreGaveUpTests {
    static let hour: Int64 = 3_600_000

    /// One email to `client` that gives up at `at` (failed, or dead after retries), its delivery made
    /// at `made` (its id carries that time).
    @discardableResult
    func givingUp(_ store: any Store, client: String, text: String, at: Int64, made: Int64? = nil, as state: DeliveryState = .failed)
        async throws -> String
    {
        var planned = Fixtures.planned(to: [("email", "li@\(client).example")], text: text, clientID: client, now: at - 60_000)
        if let made { planned.deliveries[0].id = HeraldID.lowerBound(.delivery, atMillis: made) }
        _ = try await store.enqueue([planned])
        let claimed = try await store.claim(channel: "email", limit: 10, now: at, leaseUntil: at + 60_000, owner: "w")
        try await store.record(claimed.map { c in
            DeliveryResult(
                report: AttemptReport(deliveryID: c.delivery.id, messageID: c.message.id, channel: "email", number: 1,
                                      startedAt: at, durationMillis: 1, statusCode: 550, outcome: .failed(reason: "550 no such user")),
                newState: state, nextDueAt: nil, error: "550 no such user", providerID: nil)
        })
        #expect(claimed.count == 1)
        return planned.deliveries[0].id
    }

    @Test(arguments: StoreBackend.allCases)
    func countsEveryDeliveryThatGaveUpAndListsTheNewest(backend: StoreBackend) async throws {
        let (store, cleanup) = try await backend.make()
        defer { cleanup() }
        let now = Timestamps.now()
        // Today: acme 6 failed and 1 dead, beta 2 dead; gamma (not asked about) 1 failed.
        for n in 0..<6 { try await givingUp(store, client: "acme", text: "acme \(n)", at: now - 20 * Self.hour + Int64(n) * Self.hour) }
        try await givingUp(store, client: "acme", text: "acme dead", at: now - 30 * 60_000, as: .dead)
        for n in 0..<2 { try await givingUp(store, client: "beta", text: "beta \(n)", at: now - Self.hour - Int64(n) * 60_000, as: .dead) }
        try await givingUp(store, client: "gamma", text: "gamma", at: now - Self.hour)
        // Not counted: gave up two days ago; sent today; made five days ago (past the read's bound).
        try await givingUp(store, client: "acme", text: "old", at: now - 48 * Self.hour)
        _ = try await store.enqueue([Fixtures.planned(to: [("email", "li@acme.example")], text: "sent", clientID: "acme", now: now - Self.hour)])
        try await Fixtures.send(store, now: now - Self.hour + 1)
        try await givingUp(store, client: "beta", text: "made long ago", at: now - 2 * Self.hour, made: now - 5 * 24 * Self.hour)

        // Many clients, as a big book has: the two asked about sit past the first thousand ids.
        let book = (0..<1_200).map { "nobody-\($0)" } + ["acme", "beta"]
        let found = try await store.gaveUp(clientIDs: book, since: now - 24 * Self.hour, createdSince: now - 4 * 24 * Self.hour, limit: 5)
        #expect(found.total == 9)
        #expect(found.newest.map(\.message.text) == ["acme dead", "beta 0", "beta 1", "acme 5", "acme 4"])
        #expect(found.newest.map(\.delivery.state) == [.dead, .dead, .dead, .failed, .failed])
        #expect(found.newest.allSatisfy { $0.delivery.messageID == $0.message.id })

        // One client; a limit larger than what there is; nobody.
        let acme = try await store.gaveUp(clientIDs: ["acme"], since: now - 24 * Self.hour, createdSince: now - 4 * 24 * Self.hour, limit: 50)
        #expect(acme.total == 7 && acme.newest.count == 7 && acme.newest.last?.message.text == "acme 0")
        let wider = try await store.gaveUp(clientIDs: ["acme"], since: now - 72 * Self.hour, createdSince: now - 4 * 24 * Self.hour, limit: 0)
        #expect(wider.total == 8 && wider.newest.isEmpty)
        let none = try await store.gaveUp(clientIDs: [], since: 0, createdSince: 0, limit: 5)
        #expect(none.total == 0 && none.newest.isEmpty)
    }
}
