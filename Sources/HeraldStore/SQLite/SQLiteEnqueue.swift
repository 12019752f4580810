import GRDB
import HeraldCore

/// Inserts one planned message inside a transaction, honouring its idempotency key.
enum SQLiteEnqueue {
    static func insert(_ planned: PlannedMessage, db: Database) throws -> EnqueueResult {
        let m = planned.message
        if let key = m.idempotencyKey {
            let lookup = try db.cachedStatement(sql: "SELECT id, fingerprint FROM messages WHERE idempotency_key = ?")
            if let row = try Row.fetchOne(lookup, arguments: [key]) {
                let existingID: String = row["id"]
                guard (row["fingerprint"] as String) == planned.fingerprint else {
                    return .conflict(existingMessageID: existingID)
                }
                guard let detail = try SQLiteQueries.messageWithDeliveries(id: existingID, db: db) else {
                    return .conflict(existingMessageID: existingID)
                }
                return .duplicate(detail.0, detail.1)
            }
        }
        let insertMessage = try db.cachedStatement(sql: """
            INSERT INTO messages (id, idempotency_key, fingerprint, client_id, template, subject, text, html, data,
                locale, priority, category, send_at, expires_at, reply_to, tracking, mentions, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        try insertMessage.execute(arguments: [
            m.id, m.idempotencyKey, planned.fingerprint, m.clientID, m.template, m.subject, m.text, m.html, m.data,
            m.locale, m.priority.rawValue, m.category.rawValue, m.sendAt, m.expiresAt, m.replyTo, m.tracking,
            m.mentions.isEmpty ? nil : JSONValue.array(m.mentions.map(JSONValue.string)).canonicalText, m.createdAt,
        ])
        if let e = planned.escalation {
            try db.cachedStatement(sql: """
                INSERT INTO escalations (id, message_id, due_at, unless_state, channel, destination, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """).execute(arguments: [HeraldID.make(.task), m.id, e.dueAt, e.unless.rawValue, e.channel, e.destination, m.createdAt])
        }
        for reason in planned.skipped {
            try SQLiteRows.insertEvent(
                db, messageID: m.id, deliveryID: nil, type: "skipped", state: nil, detail: reason, actor: planned.actor,
                at: m.createdAt)
        }
        let insertDelivery = try db.cachedStatement(sql: """
            INSERT INTO deliveries (id, message_id, channel, destination, state, attempts, due_at, expires_at,
                last_error, fallback, created_at, updated_at)
            VALUES (?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?)
            """)
        var deliveries = planned.deliveries
        for index in deliveries.indices {
            var d = deliveries[index]
            var detail: String? = d.state == .suppressed ? d.lastError : nil
            if d.state != .suppressed,
                let reason = try SQLiteSuppressions.reason(address: d.destination, category: m.category, db: db)
            {
                d.state = .suppressed
                d.lastError = "suppressed: \(reason)"
                detail = reason
                deliveries[index] = d
            }
            try insertDelivery.execute(arguments: [
                d.id, d.messageID, d.channel, d.destination, d.state.rawValue, d.dueAt, d.expiresAt, d.lastError,
                FallbackStep.encode(d.fallback), d.createdAt, d.updatedAt,
            ])
            try SQLiteRows.insertEvent(
                db, messageID: m.id, deliveryID: d.id, type: d.state.rawValue, state: d.state, detail: detail,
                actor: planned.actor, at: m.createdAt)
        }
        return .created(m, deliveries)
    }
}
