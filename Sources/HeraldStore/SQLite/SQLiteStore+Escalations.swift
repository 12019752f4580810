import GRDB
import HeraldCore

// MARK: - Escalation timers.

extension SQLiteStore {
    public func fireEscalations(now: Int64, limit: Int) async throws -> Int {
        try await pool.write { db in
            let due = try Row.fetchAll(
                db.cachedStatement(sql: """
                    SELECT e.id, e.message_id, e.unless_state, e.channel, e.destination, e.created_at, m.expires_at, m.send_at
                    FROM escalations e JOIN messages m ON m.id = e.message_id
                    WHERE e.state = 'pending' AND e.due_at <= ? ORDER BY e.due_at LIMIT ?
                    """), arguments: [now, limit])
            var fired = 0
            for row in due {
                let id: String = row["id"]
                let messageID: String = row["message_id"]
                let unless = DeliveryState(rawValue: row["unless_state"]) ?? .opened
                let enough = StoreText.statesMeeting(unless)
                let states = try String.fetchAll(
                    db.cachedStatement(sql: "SELECT state FROM deliveries WHERE message_id = ? AND \(StoreText.answersAnEscalation)"),
                    arguments: [messageID])
                // Counted from when the message went out (its send_at), as the timer is.
                let waited = (now - max(row["created_at"] as Int64, row["send_at"] as Int64? ?? 0)) / 1000
                let expiresAt: Int64? = row["expires_at"]
                let met = states.contains(where: { DeliveryState(rawValue: $0).map(enough.contains) ?? false })
                if let why = StoreText.escalationSkipped(met: met, unless: unless, expiresAt: expiresAt, now: now) {
                    try db.execute(sql: "UPDATE escalations SET state = 'skipped', settled_at = ? WHERE id = ?", arguments: [now, id])
                    try SQLiteRows.insertEvent(
                        db, messageID: messageID, deliveryID: nil, type: "escalation_skipped", state: nil,
                        detail: why, actor: "dispatcher", at: now)
                    continue
                }
                let deliveryID = HeraldID.make(.delivery)
                try db.cachedStatement(sql: """
                    INSERT INTO deliveries (id, message_id, channel, destination, state, attempts, due_at, expires_at,
                        purpose, created_at, updated_at)
                    VALUES (?, ?, ?, ?, 'queued', 0, ?, ?, 'escalation', ?, ?)
                    """).execute(arguments: [deliveryID, messageID, row["channel"], row["destination"], now, expiresAt, now, now])
                try SQLiteDeliveryCounts.inserted(.queued, db: db)
                try db.execute(sql: "UPDATE escalations SET state = 'fired', settled_at = ? WHERE id = ?", arguments: [now, id])
                try SQLiteRows.insertEvent(
                    db, messageID: messageID, deliveryID: deliveryID, type: "escalated", state: .queued,
                    detail: StoreText.escalated(unless: unless, waitedSeconds: waited, channel: row["channel"]),
                    actor: "dispatcher", at: now)
                fired += 1
            }
            return fired
        }
    }
}
