import GRDB
import HeraldCore

/// Fallback chains: when a delivery ends `failed` or `dead`, the first step of its chain becomes a
/// new queued delivery carrying the rest of the chain and the message's expiry, in the same
/// transaction as the failure.
enum SQLiteFallback {
    static func next(after deliveryID: String, reason: String?, at: Int64, db: Database) throws {
        guard let row = try Row.fetchOne(
            db.cachedStatement(sql: "SELECT message_id, channel, fallback, expires_at FROM deliveries WHERE id = ?"), arguments: [deliveryID])
        else { return }
        var chain = FallbackStep.decode(row["fallback"])
        guard !chain.isEmpty else { return }
        let step = chain.removeFirst()
        let messageID: String = row["message_id"]
        let id = HeraldID.make(.delivery)
        try db.cachedStatement(sql: """
            INSERT INTO deliveries (id, message_id, channel, destination, state, attempts, due_at, expires_at, purpose,
                fallback, created_at, updated_at)
            VALUES (?, ?, ?, ?, 'queued', 0, ?, ?, 'fallback', ?, ?, ?)
            """).execute(arguments: [
                id, messageID, step.channel, step.destination, at, row["expires_at"] as Int64?, FallbackStep.encode(chain), at, at,
            ])
        try SQLiteDeliveryCounts.inserted(.queued, db: db)
        try SQLiteRows.insertEvent(
            db, messageID: messageID, deliveryID: id, type: "fallback", state: .queued,
            detail: StoreText.fallback(failedChannel: row["channel"], reason: reason, next: step.channel),
            actor: "dispatcher", at: at)
    }
}
