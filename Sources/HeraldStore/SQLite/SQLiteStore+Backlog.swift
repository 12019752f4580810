import GRDB
import HeraldCore

// MARK: - What each channel has not finished.

extension SQLiteStore {
    /// Three walks, each through the partial index of its states (the predicates are spelled as
    /// the indexes say them, or SQLite would not use them): waiting, sending, given up. A claim sets
    /// `updated_at` (a lease renewal does not), so the sending rows' earliest is the oldest claim.
    static let backlogSQL = """
        SELECT channel, state, COUNT(*) AS n, MIN(due_at) AS oldest FROM deliveries
            WHERE \(SQLiteRows.waiting) GROUP BY channel, state
        UNION ALL
        SELECT channel, state, COUNT(*), MIN(updated_at) FROM deliveries WHERE state = 'sending' GROUP BY channel, state
        UNION ALL
        SELECT channel, state, COUNT(*), NULL FROM deliveries WHERE \(SQLiteRows.gaveUp) GROUP BY channel, state
        """

    public func backlog() async throws -> [ChannelBacklog] {
        do {
            return try await pool.read { db in
                ChannelBacklog.fold(try Row.fetchAll(db, sql: Self.backlogSQL).map { row in
                    (channel: row[0], state: row[1], count: row[2], oldest: row[3])
                })
            }
        } catch {
            throw SQLiteErrors.map(error)
        }
    }
}
