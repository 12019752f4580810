import GRDB
import HeraldCore

// MARK: - Retention.

extension SQLiteStore {
    public func purgeHistory(before: Int64, limit: Int) async throws -> Int {
        try await pool.write { db in
            // Ids are time-ordered, so "oldest first" is the primary-key order: each batch is a range delete.
            try db.execute(
                sql: "DELETE FROM events WHERE id IN (SELECT id FROM events WHERE created_at < ? ORDER BY id LIMIT ?)",
                arguments: [before, limit])
            let events = db.changesCount
            try db.execute(
                sql: "DELETE FROM attempts WHERE id IN (SELECT id FROM attempts WHERE started_at < ? ORDER BY id LIMIT ?)",
                arguments: [before, limit])
            let attempts = db.changesCount
            // Notices that reached their end (delivered, or dead and never redriven) go with the events they carried.
            try db.execute(
                sql: """
                    DELETE FROM notices WHERE id IN (
                        SELECT id FROM notices WHERE created_at < ? AND state IN ('delivered', 'dead') ORDER BY id LIMIT ?)
                    """,
                arguments: [before, limit])
            return events + attempts + db.changesCount
        }
    }
}
