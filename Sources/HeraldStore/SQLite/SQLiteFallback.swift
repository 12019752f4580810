import GRDB
import HeraldCore

/// Fallback chains: when a delivery ends `failed` or `dead` (or the suppression list stops it for
/// a reason that lets the chain go on: ``SuppressionHit/startsFallback``), the first step of its
/// chain becomes a new delivery carrying the rest of the chain and the message's expiry, in the
/// same transaction (``FallbackStart``).
enum SQLiteFallback {
    /// Starts the chain of the stored delivery `deliveryID`; returns the new delivery, or nil
    /// when its chain is empty.
    @discardableResult
    static func next(
        after deliveryID: String, cause: FallbackStart.Cause, from: Int64? = nil, at: Int64, actor: String = "dispatcher",
        db: Database
    ) throws -> Delivery? {
        guard let row = try Row.fetchOne(
            db.cachedStatement(sql: "SELECT message_id, channel, fallback, expires_at FROM deliveries WHERE id = ?"), arguments: [deliveryID])
        else { return nil }
        guard let start = FallbackStart(
            messageID: row["message_id"], channel: row["channel"], chain: FallbackStep.decode(row["fallback"]),
            expiresAt: row["expires_at"], cause: cause, from: from ?? at, at: at)
        else { return nil }
        try insert(start, actor: actor, db: db)
        return start.delivery
    }

    /// `next(after:)` for a failure, with its reason.
    static func next(after deliveryID: String, reason: String?, at: Int64, db: Database) throws {
        try next(after: deliveryID, cause: .failed(reason), at: at, db: db)
    }

    private static func insert(_ start: FallbackStart, actor: String, db: Database) throws {
        let d = start.delivery
        try db.cachedStatement(sql: """
            INSERT INTO deliveries (id, message_id, channel, destination, state, attempts, due_at, expires_at, purpose,
                fallback, created_at, updated_at)
            VALUES (?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [
                d.id, d.messageID, d.channel, d.destination, d.state.rawValue, d.dueAt, d.expiresAt, d.purpose,
                FallbackStep.encode(d.fallback), d.createdAt, d.updatedAt,
            ])
        try SQLiteDeliveryCounts.inserted(d.state, db: db)
        try SQLiteRows.insertEvent(
            db, messageID: d.messageID, deliveryID: d.id, type: "fallback", state: d.state, detail: start.detail,
            actor: actor, at: d.createdAt)
    }
}
