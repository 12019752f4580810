import HeraldCore
import HeraldStore
import PostgresNIO

// MARK: - Retention.

extension PostgresStore {
    public func purgeHistory(before: Int64, limit: Int) async throws -> Int {
        try await write { conn in
            // Ids are time-ordered, so "oldest first" is the primary-key order: each batch is a range delete.
            let events = try await conn.rows(
                """
                DELETE FROM events WHERE id IN (SELECT id FROM events WHERE created_at < \(before) ORDER BY id LIMIT \(limit))
                RETURNING id
                """, logger: self.logger).count
            let attempts = try await conn.rows(
                """
                DELETE FROM attempts WHERE id IN (SELECT id FROM attempts WHERE started_at < \(before) ORDER BY id LIMIT \(limit))
                RETURNING id
                """, logger: self.logger).count
            // Notices that reached their end (delivered, or dead and never redriven) go with the events they carried.
            let notices = try await conn.rows(
                """
                DELETE FROM notices WHERE id IN (
                    SELECT id FROM notices WHERE created_at < \(before) AND state IN ('delivered', 'dead') ORDER BY id LIMIT \(limit))
                RETURNING id
                """, logger: self.logger).count
            return events + attempts + notices
        }
    }
}
