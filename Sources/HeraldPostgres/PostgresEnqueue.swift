import HeraldCore
import HeraldStore
import Logging
import PostgresNIO

/// Inserts one planned message inside a transaction, honouring its idempotency key across instances.
enum PostgresEnqueue {
    static func insert(_ planned: PlannedMessage, conn: PostgresConnection, logger: Logger) async throws -> EnqueueResult {
        let m = planned.message
        let mentions = m.mentions.isEmpty ? nil : JSONValue.array(m.mentions.map(JSONValue.string)).canonicalText
        // ON CONFLICT DO NOTHING: a key another instance is inserting right now waits for that
        // transaction, then reads as taken; the transaction of this group is never aborted by it.
        let inserted = try await conn.row(
            """
            INSERT INTO messages (id, idempotency_key, fingerprint, client_id, template, subject, text, html, data,
                locale, priority, category, send_at, expires_at, reply_to, tracking, mentions, created_at)
            VALUES (\(m.id), \(m.idempotencyKey), \(planned.fingerprint), \(m.clientID), \(m.template), \(m.subject),
                \(m.text), \(m.html), \(m.data), \(m.locale), \(m.priority.rawValue), \(m.category.rawValue), \(m.sendAt),
                \(m.expiresAt), \(m.replyTo), \(m.tracking), \(mentions), \(m.createdAt))
            ON CONFLICT (idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
            RETURNING id
            """, logger: logger)
        if inserted == nil {
            guard let key = m.idempotencyKey,
                let row = try await conn.row(
                    "SELECT id, fingerprint FROM messages WHERE idempotency_key = \(key)", logger: logger)
            else { throw HeraldError.internal("message \(m.id) was neither stored nor a duplicate") }
            let existingID: String = try row["id"]
            guard (try row["fingerprint"] as String) == planned.fingerprint,
                let (message, deliveries) = try await PostgresQueries.messageWithDeliveries(id: existingID, conn: conn, logger: logger)
            else { return .conflict(existingMessageID: existingID) }
            return .duplicate(message, deliveries)
        }
        if let e = planned.escalation {
            try await conn.run(
                """
                INSERT INTO escalations (id, message_id, due_at, unless_state, channel, destination, created_at)
                VALUES (\(HeraldID.make(.task)), \(m.id), \(e.dueAt), \(e.unless.rawValue), \(e.channel), \(e.destination),
                    \(m.createdAt))
                """, logger: logger)
        }
        for reason in planned.skipped {
            try await PostgresRows.insertEvent(
                conn, logger, messageID: m.id, deliveryID: nil, type: "skipped", state: nil, detail: reason,
                actor: planned.actor, at: m.createdAt)
        }
        var deliveries = planned.deliveries
        for index in deliveries.indices {
            var d = deliveries[index]
            var detail: String? = d.state == .suppressed ? d.lastError : nil
            if d.state != .suppressed,
                let reason = try await PostgresSuppressions.reason(address: d.destination, category: m.category, conn: conn, logger: logger)
            {
                d.state = .suppressed
                d.lastError = "suppressed: \(reason)"
                detail = reason
                deliveries[index] = d
            }
            try await conn.run(
                """
                INSERT INTO deliveries (id, message_id, channel, destination, state, attempts, due_at, expires_at,
                    last_error, fallback, created_at, updated_at)
                VALUES (\(d.id), \(d.messageID), \(d.channel), \(d.destination), \(d.state.rawValue), 0, \(d.dueAt),
                    \(d.expiresAt), \(d.lastError), \(FallbackStep.encode(d.fallback)), \(d.createdAt), \(d.updatedAt))
                """, logger: logger)
            try await PostgresRows.insertEvent(
                conn, logger, messageID: m.id, deliveryID: d.id, type: d.state.rawValue, state: d.state, detail: detail,
                actor: planned.actor, at: m.createdAt)
        }
        return .created(m, deliveries)
    }
}
