import Foundation
import HeraldCore
import HeraldStore
import PostgresNIO
import Testing

@testable import HeraldPostgres

/// Migrations on a PostgreSQL database that instances are using: an index migration does not stop
/// their writes, one that was interrupted is completed on the next start, and instances starting
/// together migrate once.
@Suite struct PostgresMigratorTests {
    /// The migrations before the first concurrent index build, and that build's index.
    let before = Array(PostgresMigrations.all.prefix { $0.concurrentIndex == nil })
    let index = PostgresMigrations.all.first { $0.concurrentIndex != nil }?.concurrentIndex ?? "none"

    private func connect(_ url: PostgresURL, _ id: Int) async throws -> PostgresConnection {
        try await PostgresConnection.connect(configuration: try url.connectionConfiguration(connectTimeout: 10), id: id, logger: quiet)
    }

    private func valid(_ conn: PostgresConnection) async throws -> Bool? {
        try await conn.row("SELECT indisvalid FROM pg_index WHERE indexrelid = to_regclass(\(index))", logger: quiet)?["indisvalid"]
    }

    /// Waits until a statement starting with `prefix` is waiting for a lock in this database (the
    /// server's own view of its sessions is the signal; there is no other).
    private func waitUntilWaiting(_ conn: PostgresConnection, _ prefix: String) async throws {
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            let row = try await conn.row(
                """
                SELECT count(*) AS n FROM pg_stat_activity
                WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE \(prefix + "%")
                """, logger: quiet)
            if try row?["n"] as Int? ?? 0 > 0 { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        Issue.record("no statement starting with \(prefix) waited for a lock within 30 s")
    }

    @Test func anIndexMigrationLetsOtherSessionsWriteWhileItBuilds() async throws {
        #expect(index == "deliveries_gave_up")
        let url = try PostgresURL(try await TestDatabases.shared.create())
        let (logger, logs) = LogStream.make()
        let store = PostgresStore(url: url, maximumConnections: 2, logger: logger)
        defer { Task { try? await store.close() } }
        try await store.migrate(before)
        let (writer, other, watcher) = (try await connect(url, 1), try await connect(url, 2), try await connect(url, 3))
        defer { Task { try? await writer.close(); try? await other.close(); try? await watcher.close() } }
        // An instance in the middle of a write: its transaction holds the table for writing.
        try await writer.run("BEGIN", logger: quiet)
        try await writer.run("UPDATE deliveries SET updated_at = updated_at WHERE false", logger: quiet)
        let writerPID: Int32 = try await writer.row("SELECT pg_backend_pid() AS pid", logger: quiet)?["pid"] ?? 0
        let migration = Task { try await store.migrate(PostgresMigrations.all, reportEvery: .milliseconds(100)) }
        try await waitUntilWaiting(watcher, "CREATE INDEX")
        // The migration says whose transaction it waits for, so that an operator can end it.
        let said = await logs.first { $0.message.hasPrefix("index build waiting") }
        #expect(said?.level == .warning && said?.metadata["index"] == index, "\(String(describing: said))")
        #expect(said?.metadata["blocker_pid"] == "\(writerPID)" && writerPID != 0, "\(String(describing: said))")
        #expect(said?.metadata["phase"]?.hasPrefix("waiting for") == true, "\(String(describing: said))")
        // Idle in its transaction, the session has no statement to cancel: the hint says to end it.
        #expect(said?.metadata["hint"] == "SELECT pg_terminate_backend(\(writerPID))", "\(String(describing: said))")
        // While the index build waits for that write to end, another instance's write goes through
        // (a plain CREATE INDEX would queue its lock in between, and this would wait for both).
        try await other.run("SET lock_timeout = '5s'", logger: quiet)
        try await other.run("UPDATE deliveries SET updated_at = updated_at WHERE false", logger: quiet)
        try await writer.run("COMMIT", logger: quiet)
        try await migration.value
        #expect(try await valid(watcher) == true)
        let recorded = try await watcher.rows("SELECT name FROM herald_migrations", logger: quiet).map { try $0["name"] as String }
        #expect(Set(recorded) == Set(PostgresMigrations.all.map(\.name)) && recorded.count == PostgresMigrations.all.count)
    }

    @Test func anIndexAnInterruptedBuildLeftInvalidIsBuiltAgain() async throws {
        let url = try PostgresURL(try await TestDatabases.shared.create())
        let store = PostgresStore(url: url, maximumConnections: 2, logger: quiet)
        defer { Task { try? await store.close() } }
        try await store.migrate(before)
        let (writer, builder) = (try await connect(url, 1), try await connect(url, 2))
        defer { Task { try? await writer.close(); try? await builder.close() } }
        // A build cut short while it waited (as a crash or a cancel would): the index stays, invalid.
        try await writer.run("BEGIN", logger: quiet)
        try await writer.run("UPDATE deliveries SET updated_at = updated_at WHERE false", logger: quiet)
        try await builder.run("SET statement_timeout = '500ms'", logger: quiet)
        let sql = try #require(PostgresMigrations.all.first { $0.concurrentIndex == index }).sql
        await #expect(throws: (any Error).self) { try await builder.run(PostgresQuery(unsafeSQL: sql), logger: quiet) }
        try await writer.run("ROLLBACK", logger: quiet)
        #expect(try await valid(builder) == false)

        try await store.migrate(PostgresMigrations.all)
        #expect(try await valid(builder) == true)
        // And the store works through it: a redrive's walk reads it.
        let page = try await store.redrive(RedriveRequest(actor: "t", now: Timestamps.now()))
        #expect(page.items.isEmpty)
    }

    @Test func instancesStartingTogetherMigrateOnce() async throws {
        let url = try PostgresURL(try await TestDatabases.shared.create())
        let stores = (0..<3).map { _ in PostgresStore(url: url, maximumConnections: 2, logger: quiet) }
        defer { Task { for store in stores { try? await store.close() } } }
        // One applies everything, index builds included, while the others wait for the lock; a
        // waiting session that held a snapshot would make the concurrent build wait for it forever.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for store in stores { group.addTask { try await store.migrate() } }
            try await group.waitForAll()
        }
        let conn = try await connect(url, 1)
        defer { Task { try? await conn.close() } }
        let recorded = try await conn.rows("SELECT name FROM herald_migrations", logger: quiet).map { try $0["name"] as String }
        #expect(recorded.count == PostgresMigrations.all.count)
        #expect(try await valid(conn) == true)
    }
}
