import Foundation
import GRDB
import HeraldCore
import Testing

@testable import HeraldStore

/// The per-state delivery counts SQLite keeps (what /readyz and /metrics read) always
/// equal a count of the rows themselves, whatever moved them, and a database migrated from before
/// the counts existed starts with the right ones.
@Suite struct SQLiteDeliveryCountsTests {
    private func counted(_ path: String) throws -> [String: Int] {
        let queue = try DatabaseQueue(path: path)
        return try queue.read { db in
            Dictionary(uniqueKeysWithValues: try Row.fetchAll(
                db, sql: "SELECT state, COUNT(*) AS n FROM deliveries GROUP BY state"
            ).map { ($0["state"] as String, $0["n"] as Int) })
        }
    }

    /// A migrated store on a new file; the caller removes `dir`.
    private func migratedStore() async throws -> (store: SQLiteStore, path: String, dir: String) {
        let dir = NSTemporaryDirectory() + "herald-counts-\(UUID().uuidString)"
        let store = try SQLiteStore(path: dir + "/herald.db")
        try await store.migrate()
        return (store, dir + "/herald.db", dir)
    }

    private func report(_ claimed: ClaimedDelivery, _ outcome: DeliveryOutcome, at now: Int64) -> AttemptReport {
        AttemptReport(
            deliveryID: claimed.delivery.id, messageID: claimed.message.id, channel: claimed.delivery.channel,
            number: claimed.attemptNumber, startedAt: now, durationMillis: 1, statusCode: nil, outcome: outcome)
    }

    @Test func countsFollowEveryTransition() async throws {
        let (store, path, dir) = try await migratedStore()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let now = Timestamps.now()
        let enqueued = try await store.enqueue((0..<12).map { _ in Fixtures.planned(now: now) })
        _ = try await store.enqueue([Fixtures.planned(sendAt: now + 3_600_000, now: now)])
        let claimed = try await store.claim(channel: "webhook", limit: 8, now: now, leaseUntil: now + 60_000, owner: "w")
        try await store.record([
            DeliveryResult(report: report(claimed[0], .sent(providerID: nil), at: now), newState: .sent, nextDueAt: nil, error: nil, providerID: nil),
            DeliveryResult(report: report(claimed[1], .failed(reason: "400"), at: now), newState: .failed, nextDueAt: nil, error: "400", providerID: nil),
            DeliveryResult(report: report(claimed[2], .retry(after: nil, reason: "503"), at: now), newState: .retrying, nextDueAt: now + 1, error: "503", providerID: nil),
        ])
        try await store.postpone(
            [Postponement(deliveryID: claimed[3].delivery.id, messageID: claimed[3].message.id, channel: "webhook", until: now + 1_000, reason: "wait")],
            now: now)
        let waiting = enqueued.compactMap { Fixtures.created($0)?.0.id }.filter { id in !claimed.contains { $0.message.id == id } }
        _ = try await store.cancel(messageID: try #require(waiting.first), actor: "test", now: now)
        let depth = try await store.queueDepth()
        let rows = try counted(path)
        #expect(Dictionary(uniqueKeysWithValues: depth.map { ($0.key.rawValue, $0.value) }) == rows)
        #expect(depth[.sending] == 4 && depth[.queued] == 4 && depth[.scheduled] == 1 && depth[.cancelled] == 1)
        #expect(depth[.sent] == 1 && depth[.failed] == 1 && depth[.retrying] == 1)
        try await store.close()
    }

    /// The transitions the first test leaves out: fallback, release, receipt, engagement, resend
    /// and expiry (what a change to how the counts are kept must also get right).
    @Test func countsFollowTheRarerTransitions() async throws {
        let (store, path, dir) = try await migratedStore()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let now = Timestamps.now()
        var withFallback = Fixtures.planned(now: now)
        withFallback.deliveries[0].fallback = [FallbackStep(channel: "webhook", destination: "https://example.com/fallback")]
        let expiring = Fixtures.planned(sendAt: now + 100, expiresAt: now + 200, now: now)
        let results = try await store.enqueue([withFallback, expiring] + (0..<3).map { _ in Fixtures.planned(now: now) })
        let created = results.compactMap { Fixtures.created($0)?.1.first }
        #expect(created.count == 5)
        let claimed = try await store.claim(channel: "webhook", limit: 10, now: now, leaseUntil: now + 60_000, owner: "w")
        #expect(claimed.count == 4)
        func claimedDelivery(_ id: String) throws -> ClaimedDelivery { try #require(claimed.first { $0.delivery.id == id }) }
        let (failing, receipted, opened, released) = (
            try claimedDelivery(created[0].id), try claimedDelivery(created[2].id), try claimedDelivery(created[3].id),
            try claimedDelivery(created[4].id)
        )
        try await store.record([
            DeliveryResult(report: report(failing, .failed(reason: "410"), at: now), newState: .failed, nextDueAt: nil, error: "410", providerID: nil),
            DeliveryResult(report: report(receipted, .sent(providerID: "p-1"), at: now), newState: .sent, nextDueAt: nil, error: nil, providerID: "p-1"),
            DeliveryResult(report: report(opened, .sent(providerID: nil), at: now), newState: .sent, nextDueAt: nil, error: nil, providerID: nil),
        ])
        try await store.release(deliveryIDs: [released.delivery.id], now: now)
        #expect(try await store.recordReceipt(
            deliveryID: receipted.delivery.id, providerID: "p-1", channel: "webhook", state: .delivered, detail: "ok", unreachable: false,
            at: now + 1))
        #expect(try await store.recordEngagement(deliveryID: opened.delivery.id, kind: .open, url: nil, userAgent: "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Firefox/133.0", at: now + 2))
        _ = try await store.resend(ResendPlan(
            messageID: opened.message.id,
            items: [.init(id: HeraldID.make(.delivery), source: opened.delivery.id, channel: "webhook",
                          destination: opened.delivery.destination, dueAt: now + 3)],
            reason: "test", actor: "test", at: now + 3, maxResends: 3, minInterval: 0))
        #expect(try await store.expireDue(now: now + 300, limit: 10) == 1)
        let depth = try await store.queueDepth()
        #expect(Dictionary(uniqueKeysWithValues: depth.map { ($0.key.rawValue, $0.value) }) == (try counted(path)))
        #expect(depth[.failed] == 1 && depth[.delivered] == 1 && depth[.opened] == 1 && depth[.expired] == 1, "\(depth)")
        // The fallback's delivery, the released one and the resend wait in the queue.
        #expect(depth[.queued] == 3)
        try await store.close()
    }

    /// Inserts are counted by the code that inserts (no insert trigger since v18): every path that
    /// makes a delivery — task notices, a wrong number's fallback, an overdue task's notices, a
    /// fired escalation, an import — and history purges (delete trigger).
    @Test func countsFollowTasksEscalationsImportsAndPurges() async throws {
        let (store, path, dir) = try await migratedStore()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let now = Timestamps.now()
        var escalating = Fixtures.planned(to: [("email", "lin@xinghe.example")], now: now)
        escalating.escalation = PlannedEscalation(dueAt: now + 10, unless: .opened, channel: "webhook", destination: "https://crm.example/hook")
        _ = try await store.enqueue([escalating])

        let claimed = try await StoreTaskTests.claimedCall(store, now: now)
        let task = StoreTaskTests.task(for: claimed, now: now)
        try await store.openTasks([TaskOpening(task: task, notices: [StoreTaskTests.notice(for: task, now: now)])], now: now)
        let overdue = PlannedMessage(
            request: MessageRequest(text: "overdue", destinations: [.init(channel: "email", address: "lead@cs.example")]),
            now: now, actor: "dispatcher")
        #expect(try await store.escalateTask(id: task.id, notices: [overdue], now: now + 1))
        _ = try await store.completeTask(TaskCompletion(
            taskID: task.id, outcome: .wrongNumber, note: nil, actor: "wang", at: now + 2, deliveryState: .failed,
            detail: "wrong number", flagNumber: true))
        #expect(try await store.fireEscalations(now: now + 20, limit: 10) == 1)
        let depth = try await store.queueDepth()
        #expect(Dictionary(uniqueKeysWithValues: depth.map { ($0.key.rawValue, $0.value) }) == (try counted(path)))
        // queued: the escalated email, the notice, the overdue notice, the fallback email, the escalation's webhook.
        #expect(depth[.queued] == 5 && depth[.failed] == 1, "\(depth)")

        // An import into an empty store counts what it brings.
        let (copy, copyPath, copyDir) = try await migratedStore()
        defer { try? FileManager.default.removeItem(atPath: copyDir) }
        try await StoreCopy.everyTable(from: store, to: copy)
        let imported = try await copy.queueDepth()
        #expect(imported == depth)
        #expect(Dictionary(uniqueKeysWithValues: imported.map { ($0.key.rawValue, $0.value) }) == (try counted(copyPath)))
        try await copy.close()

        // Purged history leaves the counts (the delete trigger) equal to the rows.
        _ = try await store.purgeHistory(before: now + 3_600_000, limit: 1_000)
        #expect(Dictionary(uniqueKeysWithValues: try await store.queueDepth().map { ($0.key.rawValue, $0.value) }) == (try counted(path)))
        try await store.close()
    }

    @Test func everyStateHasItsCountRow() async throws {
        let (store, path, dir) = try await migratedStore()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try await store.close()
        let rows = try await DatabaseQueue(path: path).read { db in
            Set(try String.fetchAll(db, sql: "SELECT state FROM delivery_counts"))
        }
        // The triggers only update rows: a state without one would not be counted.
        #expect(Set(DeliveryState.allCases.map(\.rawValue)).isSubset(of: rows))
    }

    @Test func aDatabaseFromBeforeTheCountsStartsWithTheRightOnes() async throws {
        let (store, path, dir) = try await migratedStore()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        _ = try await store.enqueue((0..<5).map { _ in Fixtures.planned(now: Timestamps.now()) })
        try await store.close()
        // Back to v14 as an older Herald left it: no counts table, no triggers.
        let queue = try DatabaseQueue(path: path)
        try await queue.write { db in
            try db.execute(sql: """
                DROP TRIGGER delivery_counts_update; DROP TRIGGER delivery_counts_delete;
                DROP TABLE delivery_counts;
                ALTER TABLE deliveries DROP COLUMN engaged;
                DELETE FROM grdb_migrations WHERE identifier IN (
                    'v15-delivery-counts', 'v16-no-temporary-btrees', 'v17-engaged-before-recorded',
                    'v18-inserts-counted-by-the-writer');
                """)
        }
        try queue.close()
        let upgraded = try SQLiteStore(path: path)
        try await upgraded.migrate()
        #expect(try await upgraded.queueDepth() == [.queued: 5])
        try await upgraded.close()
    }
}
