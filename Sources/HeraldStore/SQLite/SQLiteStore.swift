import Foundation
import GRDB
import GRDBSQLite
import HeraldCore
import Logging

/// The embedded store: one SQLite file in WAL mode with `synchronous=FULL`, so a commit that
/// returned is on disk. Enqueues from concurrent requests share transactions (group commit).
public final class SQLiteStore: Store {
    let pool: DatabasePool
    let logger: Logger
    private let committer: GroupCommitter
    private let marker: CleanCloseMarker
    /// The file was closed cleanly and is unchanged since: ``migrate()`` skips the full scan.
    let closedCleanly: Bool

    /// Bytes per page of a database this store creates.
    static let pageSize = 16_384
    /// WAL bytes after which the writer copies them into the database file (SQLite's default
    /// interval at 4 KiB pages).
    static let checkpointBytes = 4_194_304

    /// Opens (creating if needed) the database at `path`. Call ``migrate()`` before use.
    /// - Parameters:
    ///   - path: the SQLite file; its folder is created when missing.
    ///   - busyTimeout: milliseconds a writer waits for a lock held by another process.
    public init(path: String, busyTimeout: Int64 = 5_000, logger: Logger = Logger(label: "herald.store")) throws {
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        marker = CleanCloseMarker(databasePath: path)
        closedCleanly = marker.consume()
        SQLiteProcessSettings.apply()
        var configuration = Configuration()
        configuration.busyMode = .timeout(Double(busyTimeout) / 1000)
        configuration.label = "herald"
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA foreign_keys = ON")
            // A new file gets 16 KiB pages (SQLite's default is 4 KiB): a batch of enqueues or of
            // delivery outcomes touches fewer pages, so the writer does ~10 % less work per message
            // (BENCHMARKS.md, session 15). Only takes effect while the file is empty: an existing
            // database keeps the page size it was created with.
            try db.execute(sql: "PRAGMA page_size = \(SQLiteStore.pageSize)")
        }
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
            // GRDB sets synchronous=NORMAL while it enables WAL, after prepareDatabase:
            // set FULL on the writer afterwards and read it back.
            let synchronous = try pool.writeWithoutTransaction { db -> Int in
                try db.execute(sql: "PRAGMA synchronous = FULL")
                // The claim/record indexes of a deep queue stay in memory (32 MB; filled only as used).
                try db.execute(sql: "PRAGMA cache_size = -32768")
                // SQLite checkpoints the WAL every 1,000 pages: 4 MB with its default page size,
                // 16 MB with ours, and a checkpoint stalls the commits behind it for as long as it
                // copies. Keep the 4 MB whatever the file's page size.
                let pageSize = try Int.fetchOne(db, sql: "PRAGMA page_size") ?? 4_096
                try db.execute(sql: "PRAGMA wal_autocheckpoint = \(SQLiteStore.checkpointBytes / max(pageSize, 512))")
                return try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1
            }
            guard synchronous == 2 else {
                throw HeraldError.internal("SQLite refused synchronous=FULL (got \(synchronous))")
            }
        } catch let error as DatabaseError {
            throw HeraldError.unavailable("cannot open the database \(path): \(error.message ?? "\(error)")")
        }
        self.logger = logger
        logger.debug("database opened", metadata: [
            "path": "\(path)", "sqlite": "\(String(cString: sqlite3_libversion()))",
            "memory_statistics": "\(SQLiteProcessSettings.countsMemory ? "on" : "off")",
        ])
        committer = GroupCommitter { [pool] groups in
            do {
                return try await pool.write { db in
                    try SQLiteEnqueue.within(db) { enqueue in
                        try groups.map { messages in try messages.map(enqueue.insert) }
                    }
                }
            } catch {
                throw SQLiteErrors.map(error)
            }
        }

    }

    public func migrate() async throws {
        // Integrity check before serving: a corrupted file must stop the daemon, not be served. It reads
        // every page, so it is skipped when the file is byte-for-byte as a clean close left it.
        if !closedCleanly {
            try await pool.write { db in
                let check = try String.fetchOne(db, sql: "PRAGMA quick_check(1)") ?? "unknown"
                guard check == "ok" else { throw HeraldError.unavailable("database integrity check failed: \(check)") }
            }
        } else {
            logger.debug("database closed cleanly last time: integrity scan skipped")
        }
        try SQLiteMigrations.migrator().migrate(pool)
        // Statement journals in memory from now on. Every claim and every recorded outcome is an
        // UPDATE that fires the delivery-count trigger inside a larger transaction, so SQLite keeps
        // the original of each page it changes in a statement journal, and spills that journal to
        // a temporary file past 64 KiB: four 16 KiB pages. A drain created, wrote and deleted a
        // temp file per transaction, two thirds of its write calls (BENCHMARKS.md, session 16).
        // The daemon's own statements are bounded (claims, records and purges take LIMITs); set
        // after the migrations so a migration rewriting a large table still spills to disk.
        try await pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA temp_store = MEMORY") }
    }

    public func enqueue(_ messages: [PlannedMessage]) async throws -> [EnqueueResult] {
        if messages.isEmpty { return [] }
        return try await committer.submit(messages)
    }

    public func checkWritable() async throws {
        try await pool.writeWithoutTransaction { db in
            try db.execute(sql: "BEGIN IMMEDIATE")
            try db.execute(sql: "ROLLBACK")
        }
    }

    public func close() async throws {
        // Fold the WAL into the file and empty it: GRDB closes the writer before its (read-only)
        // readers, so SQLite's own checkpoint-on-last-close does not happen. An empty WAL is what
        // lets the clean-close marker vouch for the file alone.
        _ = try? await pool.writeWithoutTransaction { db in try db.checkpoint(.truncate) }
        try pool.close()
        marker.write()
    }

    public func queueDepth() async throws -> [DeliveryState: Int] {
        try await pool.read { db in
            var depth: [DeliveryState: Int] = [:]
            // Kept up to date by the writers (SQLiteDeliveryCounts): a few rows, however deep the queue.
            for row in try Row.fetchAll(db, sql: "SELECT state, n FROM delivery_counts WHERE n > 0") {
                if let state = DeliveryState(rawValue: row["state"]) { depth[state] = row["n"] }
            }
            return depth
        }
    }

    /// Writes a consistent copy of the live database to `path` (`VACUUM INTO` on a reader
    /// connection: one snapshot, the writer keeps going, no restart under load the way the
    /// page-stepped backup API has). Fails if `path` exists. The copy has ``pageSize`` pages
    /// whatever the live file has, so restoring a backup converts an older file.
    public func backup(to path: String) async throws {
        try await pool.unsafeRead { db in
            // Every connection asked for this page size when it opened; set here too so the
            // copy does not depend on that. VACUUM INTO writes the new file with it.
            try db.execute(sql: "PRAGMA page_size = \(SQLiteStore.pageSize)")
            try db.execute(sql: "VACUUM INTO ?", arguments: [path])
        }
    }

    /// Bytes the database occupies (pages × page size), to show backup progress against.
    public func sizeInBytes() async throws -> Int64 {
        try await pool.read { db in
            let pages = try Int64.fetchOne(db, sql: "PRAGMA page_count") ?? 0
            let size = try Int64.fetchOne(db, sql: "PRAGMA page_size") ?? 4096
            return pages * size
        }
    }

    /// `PRAGMA integrity_check` of a database file (a backup before restoring it).
    public static func integrityCheck(path: String) throws -> String {
        var configuration = Configuration()
        configuration.readonly = true
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        defer { try? queue.close() }
        return try queue.read { db in
            try String.fetchAll(db, sql: "PRAGMA integrity_check").joined(separator: "; ")
        }
    }
}
