import Foundation
import GRDB
import HeraldCore
import Testing

@testable import HeraldStore

/// SQLite-specific start-up behaviour: the full integrity scan is skipped only when the file is
/// exactly as a clean close left it.
@Suite struct SQLiteStartTests {
    @Test func aCleanCloseSkipsTheScanAndAnyChangeOrCrashBringsItBack() async throws {
        let dir = NSTemporaryDirectory() + "herald-start-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/herald.db"

        let first = try SQLiteStore(path: path)
        #expect(!first.closedCleanly)  // a new file: never closed
        try await first.migrate()
        _ = try await first.enqueue([Fixtures.planned(now: Timestamps.now())])
        try await first.close()
        #expect(FileManager.default.fileExists(atPath: path + ".clean"))

        let second = try SQLiteStore(path: path)
        #expect(second.closedCleanly)
        #expect(!FileManager.default.fileExists(atPath: path + ".clean"))  // consumed at open: a crash leaves none
        try await second.migrate()
        // A crash: the store is never closed, so no marker is written.
        _ = try await second.enqueue([Fixtures.planned(now: Timestamps.now())])
        #expect(try SQLiteStore(path: path).closedCleanly == false)
        try await second.close()

        // The file changed after the clean close (a restore, a copy, another program): scan again.
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try handle.seekToEnd()
        try handle.close()
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: 5)], ofItemAtPath: path)
        let third = try SQLiteStore(path: path)
        #expect(!third.closedCleanly)
        try await third.migrate()
        try await third.close()
    }

    @Test func theWriterIsDurableAndKeepsADeepQueueInCache() async throws {
        let dir = NSTemporaryDirectory() + "herald-pragmas-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = try SQLiteStore(path: dir + "/herald.db")
        // Migrations run with SQLite's default temporary storage (files), so one rewriting a large
        // table does not hold its statement journal in memory ...
        #expect(try await store.pool.writeWithoutTransaction { db in try Int.fetchOne(db, sql: "PRAGMA temp_store") } == 0)
        try await store.migrate()
        let settings = try await store.pool.writeWithoutTransaction { db in
            [try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1, try Int.fetchOne(db, sql: "PRAGMA cache_size") ?? 0,
             try Int.fetchOne(db, sql: "PRAGMA wal_autocheckpoint") ?? 0, try Int.fetchOne(db, sql: "PRAGMA temp_store") ?? -1]
        }
        // Checkpoints every 4 MB of WAL: 256 pages of 16 KiB. ... and the daemon's bounded statements
        // keep theirs in memory (2 = MEMORY): no temporary file per claim or record transaction.
        #expect(settings == [2, -32768, 256, 2])
        try await store.close()
        // The clean close folded the WAL into the file and left it empty.
        let wal = (try? FileManager.default.attributesOfItem(atPath: dir + "/herald.db-wal")[.size] as? Int) ?? 0
        #expect(wal == 0)
    }

    /// SQLite's memory statistics are off once a store opened, unless this test process used
    /// SQLite before any store (then they stay on, and `applied` must say so): either way, what
    /// `applied` reports is what SQLite does, checked with a connection open.
    @Test func memoryStatisticsAreOffWhenTheSettingTookEffect() async throws {
        let dir = NSTemporaryDirectory() + "herald-memstat-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = try SQLiteStore(path: dir + "/herald.db")
        try await store.migrate()
        #expect(SQLiteProcessSettings.countsMemory == !SQLiteProcessSettings.applied)
        try await store.close()
    }

    @Test func aNewFileGetsLargePagesAndAnOlderFileKeepsItsOwn() async throws {
        let dir = NSTemporaryDirectory() + "herald-pages-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let fresh = try SQLiteStore(path: dir + "/new.db")
        try await fresh.migrate()
        #expect(try await fresh.pool.read { db in try Int.fetchOne(db, sql: "PRAGMA page_size") } == 16_384)
        try await fresh.close()

        // A file made by an earlier Herald (SQLite's default 4 KiB pages, WAL) opens, migrates,
        // takes enqueues and keeps its page size.
        let older = try DatabaseQueue(path: dir + "/old.db")
        try await older.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA journal_mode = WAL")
            try db.execute(sql: "CREATE TABLE before_herald (x INTEGER)")
        }
        try older.close()
        let store = try SQLiteStore(path: dir + "/old.db")
        try await store.migrate()
        let results = try await store.enqueue([Fixtures.planned(now: Timestamps.now())])
        #expect(results.count == 1)
        #expect(try await store.pool.read { db in try Int.fetchOne(db, sql: "PRAGMA page_size") } == 4_096)
        #expect(try await store.pool.writeWithoutTransaction { db in try Int.fetchOne(db, sql: "PRAGMA wal_autocheckpoint") } == 1_024)
        try await store.close()
    }
}
