import HeraldCore
import HeraldStore
import PostgresNIO

// MARK: - Escalation timers.

extension PostgresStore {
    public func fireEscalations(now: Int64, limit: Int) async throws -> Int {
        try await write { conn in
            // SKIP LOCKED: each due timer is settled by exactly one instance.
            let due = try await conn.rows(
                """
                SELECT e.id, e.message_id, e.unless_state, e.channel, e.destination, e.created_at, m.expires_at, m.send_at
                FROM escalations e JOIN messages m ON m.id = e.message_id
                WHERE e.state = 'pending' AND e.due_at <= \(now) ORDER BY e.due_at LIMIT \(limit) FOR UPDATE OF e SKIP LOCKED
                """, logger: self.logger)
            var fired = 0
            for row in due {
                let id: String = try row["id"]
                let messageID: String = try row["message_id"]
                let channel: String = try row["channel"]
                let unless = DeliveryState(rawValue: try row["unless_state"]) ?? .opened
                let enough = StoreText.statesMeeting(unless).map(\.rawValue)
                let met = try await conn.row(
                    """
                    SELECT 1 AS met FROM deliveries WHERE message_id = \(messageID)
                      AND \(unescaped: StoreText.answersAnEscalation) AND state = ANY(\(enough)) LIMIT 1
                    """, logger: self.logger)
                // Counted from when the message went out (its send_at), as the timer is.
                let waited = (now - max(try row["created_at"] as Int64, try row["send_at"] as Int64? ?? 0)) / 1000
                let expiresAt: Int64? = try row["expires_at"]
                if let why = StoreText.escalationSkipped(met: met != nil, unless: unless, expiresAt: expiresAt, now: now) {
                    try await conn.run(
                        "UPDATE escalations SET state = 'skipped', settled_at = \(now) WHERE id = \(id)", logger: self.logger)
                    try await PostgresRows.insertEvent(
                        conn, self.logger, messageID: messageID, deliveryID: nil, type: "escalation_skipped", state: nil,
                        detail: why, actor: "dispatcher", at: now)
                    continue
                }
                let deliveryID = HeraldID.make(.delivery)
                try await conn.run(
                    """
                    INSERT INTO deliveries (id, message_id, channel, destination, state, attempts, due_at, expires_at,
                        purpose, created_at, updated_at)
                    VALUES (\(deliveryID), \(messageID), \(channel), \(try row["destination"] as String), 'queued', 0, \(now),
                        \(expiresAt), 'escalation', \(now), \(now))
                    """, logger: self.logger)
                try await conn.run(
                    "UPDATE escalations SET state = 'fired', settled_at = \(now) WHERE id = \(id)", logger: self.logger)
                try await PostgresRows.insertEvent(
                    conn, self.logger, messageID: messageID, deliveryID: deliveryID, type: "escalated", state: .queued,
                    detail: StoreText.escalated(unless: unless, waitedSeconds: waited, channel: channel),
                    actor: "dispatcher", at: now)
                fired += 1
            }
            return fired
        }
    }
}
