import Foundation
import GRDB
import HeraldCore
import Testing

@testable import HeraldStore

/// The hot statements use the partial indexes they were written for, and writing a delivery
/// builds no temporary B-tree, its count trigger included (SQLite evaluates `IN` over three or more
/// constants, or an `IN` driving a key lookup, with one on every execution: that is why the
/// predicates are ORs, see ``SQLiteRows/waiting``, and the trigger two single-key updates).
@Suite struct SQLiteQueryPlanTests {
    private func withMigratedDatabase(_ body: (Database) throws -> Void) async throws {
        let dir = NSTemporaryDirectory() + "herald-plan-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = try SQLiteStore(path: dir + "/herald.db")
        try await store.migrate()
        try await store.close()
        let queue = try DatabaseQueue(path: dir + "/herald.db")
        try queue.read(body)
    }

    private func plan(_ db: Database, _ sql: String, _ arguments: StatementArguments = []) throws -> String {
        try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql, arguments: arguments).map { $0["detail"] as String }.joined(separator: " | ")
    }

    private func opcodes(_ db: Database, _ sql: String) throws -> [String] {
        try Row.fetchAll(db, sql: "EXPLAIN " + sql).map { $0["opcode"] as String }
    }

    @Test func dueAndExpiringQueriesUseTheirPartialIndexes() async throws {
        try await withMigratedDatabase { db in
            // The claim's inner SELECT (SQLiteStore+Dispatch) and nextDueTime's reads.
            let claim = try plan(db, """
                SELECT id FROM deliveries WHERE channel = 'webhook' AND \(SQLiteRows.waiting) AND due_at <= 5
                  AND (expires_at IS NULL OR expires_at > 5) ORDER BY due_at LIMIT 64
                """)
            #expect(claim.contains("deliveries_due"), "\(claim)")
            let due = try plan(db, "SELECT MIN(due_at) FROM deliveries WHERE channel = 'webhook' AND \(SQLiteRows.waiting)")
            #expect(due.contains("deliveries_due"), "\(due)")
            let expiring = try plan(db, "SELECT MIN(expires_at) FROM deliveries WHERE expires_at IS NOT NULL AND \(SQLiteRows.waiting)")
            #expect(expiring.contains("deliveries_expiring"), "\(expiring)")
            // The old spelling would not have matched the new index: the test can fail.
            let other = try plan(db, "SELECT MIN(due_at) FROM deliveries WHERE channel = 'webhook' AND state IN ('scheduled', 'queued', 'retrying')")
            #expect(!other.contains("deliveries_due"), "\(other)")
        }
    }

    @Test(arguments: [[DeliveryState.dead], [.failed], [.dead, .failed]])
    func aRedriveWalksTheDeliveriesThatGaveUpOnly(states: [DeliveryState]) async throws {
        try await withMigratedDatabase { db in
            let request = RedriveRequest(states: states, channel: "webhook", after: "dlv_0", actor: "t", now: 1)
            let arguments: StatementArguments = ["webhook", 1, nil, "dlv_0", 500]
            let pick = try plan(db, SQLiteStore.pickSQL(request), arguments)
            #expect(pick.contains("deliveries_gave_up"), "\(pick)")
            #expect(!pick.contains("SCAN deliveries ") && !pick.hasSuffix("SCAN deliveries"), "\(pick)")
            // Without the index's own predicate the same walk reads the whole table: the test can fail.
            let bare = try plan(db, SQLiteStore.pickSQL(request).replacingOccurrences(of: SQLiteRows.gaveUp + " AND", with: ""), arguments)
            #expect(!bare.contains("deliveries_gave_up"), "\(bare)")
        }
    }

    @Test func theBacklogReadsThroughThePartialIndexesOfItsStates() async throws {
        try await withMigratedDatabase { db in
            let backlog = try plan(db, SQLiteStore.backlogSQL)
            for index in ["deliveries_due", "deliveries_leased", "deliveries_gave_up"] {
                #expect(backlog.contains(index), "\(index): \(backlog)")
            }
            #expect(!backlog.contains("SCAN deliveries |") && !backlog.hasSuffix("SCAN deliveries"), "\(backlog)")
        }
    }

    @Test func writingADeliveryBuildsNoTemporaryTable() async throws {
        try await withMigratedDatabase { db in
            let insert = try opcodes(db, """
                INSERT INTO deliveries (id, message_id, channel, destination, state, attempts, due_at, expires_at,
                    last_error, fallback, created_at, updated_at)
                VALUES ('d', 'm', 'webhook', 'x', 'queued', 0, 1, NULL, NULL, NULL, 1, 1)
                """)
            #expect(insert.contains("IdxInsert"))
            #expect(!insert.contains("OpenEphemeral"))
            let update = try opcodes(db, "UPDATE deliveries SET state = 'sent', updated_at = 2 WHERE id = 'd'")
            #expect(!update.contains("OpenEphemeral"))
        }
    }

    @Test func aDigestReadsTheDeliveriesThatGaveUpThroughIndexesOnly() async throws {
        try await withMigratedDatabase { db in
            // The read behind a CSM digest's failures: no full pass over deliveries or messages.
            let from = SQLiteStore.gaveUpFrom(clients: 3)
            for sql in ["SELECT count(*) " + from, "SELECT d.id " + from + " ORDER BY d.updated_at DESC, d.id DESC LIMIT 20"] {
                let read = try plan(db, sql, ["dlv_0", 1, "a", "b", "c"])
                #expect(!read.contains("SCAN d") && !read.contains("SCAN m"), "\(read)")
            }
            // Without its filters a join reads a whole table: the test can fail.
            let bare = try plan(db, "SELECT count(*) FROM deliveries d JOIN messages m ON m.id = d.message_id")
            #expect(bare.contains("SCAN"), "\(bare)")
        }
    }
}
