import HeraldCore
import HeraldStore
import Logging
import PostgresNIO

/// Fallback chains (see `SQLiteFallback`): the first step of a failed or suppressed delivery's
/// chain becomes a new delivery carrying the rest (``FallbackStart``), in the same transaction.
enum PostgresFallback {
    /// Starts the chain of the stored delivery `deliveryID` (nothing when it is empty).
    static func next(
        after deliveryID: String, cause: FallbackStart.Cause, at: Int64, conn: PostgresConnection, logger: Logger
    ) async throws {
        guard let row = try await conn.row(
            "SELECT message_id, channel, fallback, expires_at FROM deliveries WHERE id = \(deliveryID)", logger: logger),
            let start = FallbackStart(
                messageID: try row["message_id"], channel: try row["channel"], chain: FallbackStep.decode(try row["fallback"]),
                expiresAt: try row["expires_at"], cause: cause, from: at, at: at)
        else { return }
        let d = start.delivery
        try await conn.run(
            """
            INSERT INTO deliveries (id, message_id, channel, destination, state, attempts, due_at, expires_at, purpose,
                fallback, created_at, updated_at)
            VALUES (\(d.id), \(d.messageID), \(d.channel), \(d.destination), \(d.state.rawValue), 0, \(d.dueAt),
                \(d.expiresAt), \(d.purpose), \(FallbackStep.encode(d.fallback)), \(d.createdAt), \(d.updatedAt))
            """, logger: logger)
        try await PostgresRows.insertEvent(
            conn, logger, messageID: d.messageID, deliveryID: d.id, type: "fallback", state: d.state, detail: start.detail,
            actor: "dispatcher", at: at)
    }

    /// `next(after:)` for a failure, with its reason.
    static func next(after deliveryID: String, reason: String?, at: Int64, conn: PostgresConnection, logger: Logger) async throws {
        try await next(after: deliveryID, cause: .failed(reason), at: at, conn: conn, logger: logger)
    }
}
