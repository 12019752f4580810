import Foundation
import GRDB
import Logging

/// Moves the write-ahead log into the database file from a connection of its own, off the writer.
///
/// SQLite's automatic checkpoint runs inside the commit that crosses 1,000 WAL pages: that commit
/// (and every enqueue waiting on it, under group commit) pays for copying the pages and, with
/// `synchronous=FULL`, an fsync of the database file — the p99 spikes of steady load. The store
/// turns automatic checkpoints off on its writer and this task runs a PASSIVE checkpoint every
/// `interval` instead: it never takes the write lock, so commits go on while it copies.
final class WALCheckpointer: Sendable {
    private let task: Task<Void, Never>

    init(path: String, interval: Duration = .milliseconds(500), logger: Logger) throws {
        var configuration = Configuration()
        configuration.label = "herald.checkpoint"
        configuration.busyMode = .timeout(1)
        let connection = try DatabaseQueue(path: path, configuration: configuration)
        task = Task.detached(priority: .utility) {
            var failures = 0
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                do {
                    try await connection.writeWithoutTransaction { db in
                        _ = try db.checkpoint(.passive)
                    }
                    failures = 0
                } catch {
                    failures += 1
                    if failures == 10 { logger.warning("WAL checkpoints keep failing", metadata: ["error": "\(error)"]) }
                }
            }
            try? connection.close()
        }
    }

    func stop() async {
        task.cancel()
        await task.value
    }
}
