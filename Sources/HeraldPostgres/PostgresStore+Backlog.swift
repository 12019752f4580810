import HeraldCore
import HeraldStore
import PostgresNIO

// MARK: - What each channel has not finished.

extension PostgresStore {
    public func backlog() async throws -> [ChannelBacklog] {
        // Each part is what one partial index holds (waiting, leased, given up).
        let rows = try await read { conn in
            try await conn.rows(
                """
                SELECT channel, state, COUNT(*) AS n, MIN(due_at) AS oldest FROM deliveries
                    WHERE state IN ('scheduled', 'queued', 'retrying') GROUP BY channel, state
                UNION ALL
                SELECT channel, state, COUNT(*), MIN(updated_at) FROM deliveries WHERE state = 'sending' GROUP BY channel, state
                UNION ALL
                SELECT channel, state, COUNT(*), NULL FROM deliveries WHERE state IN ('dead', 'failed') GROUP BY channel, state
                """, logger: self.logger)
        }
        return ChannelBacklog.fold(try rows.map { row in
            (channel: try row["channel"], state: try row["state"], count: try row["n"], oldest: try row["oldest"])
        })
    }
}
