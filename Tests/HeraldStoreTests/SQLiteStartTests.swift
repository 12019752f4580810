import Foundation
import GRDB
import HeraldCore
import Testing

@testable import HeraldStore

/// SQLite-specific start-up behaviour: the full integrity scan is skipped only when the file is
/// exactly as a clean close left it; checkpoints happen beside the writer.
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

    @Test func theWriterLeavesCheckpointsToTheCheckpointer() async throws {
        let dir = NSTemporaryDirectory() + "herald-wal-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = try SQLiteStore(path: dir + "/herald.db")
        try await store.migrate()
        let settings = try await store.pool.writeWithoutTransaction { db in
            [try Int.fetchOne(db, sql: "PRAGMA wal_autocheckpoint") ?? -1, try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1]
        }
        #expect(settings == [0, 2])
        // With automatic checkpoints off, only the checkpointer moves pages into the database file:
        // the file itself grows only if it runs.
        let path = dir + "/herald.db"
        let initial = try #require(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
        for _ in 0..<40 {
            _ = try await store.enqueue((0..<50).map { _ in Fixtures.planned(text: String(repeating: "x", count: 2_000), now: Timestamps.now()) })
        }
        let deadline = ContinuousClock.now + .seconds(10)
        var size = initial
        while size < initial + 2_000_000 && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(100))
            size = try #require(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
        }
        #expect(size >= initial + 2_000_000, "the database file did not grow: nothing checkpointed the WAL")
        try await store.close()
    }
}
