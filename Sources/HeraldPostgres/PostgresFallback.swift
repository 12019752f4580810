import HeraldCore
import HeraldStore
import Logging
import PostgresNIO

/// Fallback chains (see `SQLiteFallback`): the first step of a failed delivery's chain becomes a
/// new queued delivery carrying the rest, in the same transaction as the failure.
enum PostgresFallback {
    static func next(after deliveryID: String, reason: String?, at: Int64, conn: PostgresConnection, logger: Logger) async throws {
        guard let row = try await conn.row(
            "SELECT message_id, channel, fallback, expires_at FROM deliveries WHERE id = \(deliveryID)", logger: logger)
        else { return }
        var chain = FallbackStep.decode(try row["fallback"])
        guard !chain.isEmpty else { return }
        let step = chain.removeFirst()
        let messageID: String = try row["message_id"]
        let id = HeraldID.make(.delivery)
        let due = step.release(at: at)
        let state = DeliveryState.onEnqueue(sendAt: due, now: at)
        try await conn.run(
            """
            INSERT INTO deliveries (id, message_id, channel, destination, state, attempts, due_at, expires_at, purpose,
                fallback, created_at, updated_at)
            VALUES (\(id), \(messageID), \(step.channel), \(step.destination), \(state.rawValue), 0, \(due),
                \(try row["expires_at"] as Int64?), 'fallback', \(FallbackStep.encode(chain)), \(at), \(at))
            """, logger: logger)
        try await PostgresRows.insertEvent(
            conn, logger, messageID: messageID, deliveryID: id, type: "fallback", state: state,
            detail: StoreText.fallback(failedChannel: try row["channel"], reason: reason, next: step, due: due, at: at),
            actor: "dispatcher", at: at)
    }
}
