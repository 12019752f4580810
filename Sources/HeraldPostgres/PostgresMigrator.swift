import HeraldCore
import Logging
import PostgresNIO

/// Applies ``PostgresMigrations`` not yet recorded in `herald_migrations`, in order, on a connection
/// of its own (closing it releases the lock whatever happened). One instance migrates at a time;
/// the others wait for the lock and then find nothing to do.
///
/// Each migration commits on its own, with the row that records it; one that builds an index
/// concurrently (``PostgresMigrations/Migration/concurrentIndex``) runs outside a transaction and
/// replaces an invalid index an interrupted build left behind. Such a build waits for every
/// transaction older than it to end; while it waits, the migrator logs whose it is (from a second
/// connection, every ``reportEvery``), so that an operator can end it.
struct PostgresMigrator {
    let migrations: [PostgresMigrations.Migration]
    let logger: Logger
    /// How often a waiting instance tries the lock again.
    var retry: Duration = .milliseconds(100)
    /// Opens the connection that watches an index build; nil: builds are not watched.
    var connect: (@Sendable () async throws -> PostgresConnection)? = nil
    /// How often a watched build's progress is logged.
    var reportEvery: Duration = .seconds(10)

    func run(on conn: PostgresConnection) async throws {
        try await lock(conn)
        try await conn.run(
            "CREATE TABLE IF NOT EXISTS herald_migrations (name TEXT PRIMARY KEY, applied_at BIGINT NOT NULL)", logger: logger)
        let done = Set(try await conn.rows("SELECT name FROM herald_migrations", logger: logger).map { try $0["name"] as String })
        for migration in migrations where !done.contains(migration.name) {
            logger.info("applying migration", metadata: ["migration": "\(migration.name)"])
            if let index = migration.concurrentIndex {
                try await build(index, migration, conn)
            } else {
                try await conn.run("BEGIN", logger: logger)
                do {
                    // One statement per query (the extended protocol takes no more); no statement holds a ';'.
                    for statement in migration.sql.split(separator: ";") where statement.contains(where: { !$0.isWhitespace }) {
                        try await conn.run(PostgresQuery(unsafeSQL: String(statement)), logger: logger)
                    }
                    try await record(migration, conn)
                    try await conn.run("COMMIT", logger: logger)
                } catch {
                    try? await conn.run("ROLLBACK", logger: logger)
                    throw error
                }
            }
        }
    }

    /// Tries the session lock until it is free rather than blocking in `pg_advisory_lock`: a session
    /// blocked in a statement holds a snapshot, and CREATE INDEX CONCURRENTLY in the session that has
    /// the lock waits for every older snapshot to end — the two would wait for each other.
    private func lock(_ conn: PostgresConnection) async throws {
        var told = false
        while true {
            let row = try await conn.row("SELECT pg_try_advisory_lock(\(PostgresMigrations.lockKey)) AS got", logger: logger)
            if try row?["got"] as Bool? == true { return }
            if !told {
                logger.info("waiting for another instance to finish migrating the database")
                told = true
            }
            try await Task.sleep(for: retry)
        }
    }

    private func build(_ index: String, _ migration: PostgresMigrations.Migration, _ conn: PostgresConnection) async throws {
        // A concurrent build that was interrupted (a crash, a cancel) leaves the index in place but
        // invalid: never used by queries, still written by every insert. Drop it and build again.
        let state = try await conn.row("SELECT indisvalid FROM pg_index WHERE indexrelid = to_regclass(\(index))", logger: logger)
        if let state, try state["indisvalid"] as Bool == false {
            logger.warning("rebuilding an index an interrupted migration left invalid", metadata: ["index": "\(index)"])
            try await conn.run(PostgresQuery(unsafeSQL: "DROP INDEX CONCURRENTLY IF EXISTS \(index)"), logger: logger)
        }
        var watcher: IndexBuildWatcher? = nil
        if connect != nil {
            let builder: Int32 = try await conn.row("SELECT pg_backend_pid() AS pid", logger: logger)?["pid"] ?? 0
            watcher = IndexBuildWatcher(index: index, builder: builder, every: reportEvery, logger: logger)
        }
        try await withThrowingTaskGroup(of: Bool.self) { [connect, watcher] group in
            group.addTask {
                try await conn.run(PostgresQuery(unsafeSQL: migration.sql), logger: logger)
                return true
            }
            if let connect, let watcher {
                group.addTask {
                    await watcher.watch(connect)
                    return false
                }
            }
            // The build's end ends the watch; a watch that ended early (no connection) changes nothing.
            while let built = try await group.next() {
                if built { group.cancelAll() }
            }
        }
        try await record(migration, conn)
    }

    private func record(_ migration: PostgresMigrations.Migration, _ conn: PostgresConnection) async throws {
        try await conn.run(
            "INSERT INTO herald_migrations (name, applied_at) VALUES (\(migration.name), \(Timestamps.now()))", logger: logger)
    }
}
