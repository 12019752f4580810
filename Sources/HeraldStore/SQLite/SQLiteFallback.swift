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
        let due = step.release(at: at)
        let state = DeliveryState.onEnqueue(sendAt: due, now: at)
        try db.cachedStatement(sql: """
            INSERT INTO deliveries (id, message_id, channel, destination, state, attempts, due_at, expires_at, purpose,
                fallback, created_at, updated_at)
            VALUES (?, ?, ?, ?, ?, 0, ?, ?, 'fallback', ?, ?, ?)
            """).execute(arguments: [
                id, messageID, step.channel, step.destination, state.rawValue, due, row["expires_at"] as Int64?,
                FallbackStep.encode(chain), at, at,
            ])
        try SQLiteDeliveryCounts.inserted(state, db: db)
        try SQLiteRows.insertEvent(
            db, messageID: messageID, deliveryID: id, type: "fallback", state: state,
            detail: StoreText.fallback(failedChannel: row["channel"], reason: reason, next: step, due: due, at: at),
            actor: "dispatcher", at: at)
    }
}
