import GRDB
import HeraldCore

/// Column lists and row decoding for the SQLite store, kept in one place so every query
/// selects what the decoders read.
enum SQLiteRows {
    static let messageColumns = StoreColumns.message
    static func messageColumns(prefix: String) -> String { StoreColumns.message(prefix: prefix) }
    static let deliveryColumns = StoreColumns.delivery
    static let attemptColumns = StoreColumns.attempt
    static let eventColumns = StoreColumns.event

    static func message(_ row: Row) -> Message {
        var message = Message(
            id: row["id"], idempotencyKey: row["idempotency_key"], clientID: row["client_id"],
            template: row["template"], subject: row["subject"], text: row["text"], html: row["html"],
            data: row["data"], locale: row["locale"],
            priority: MessageRequest.Priority(rawValue: row["priority"] ?? "") ?? .normal,
            category: MessageRequest.Category(rawValue: row["category"] ?? "") ?? .transactional,
            sendAt: row["send_at"], expiresAt: row["expires_at"], replyTo: row["reply_to"], tracking: row["tracking"] ?? true,
            createdAt: row["created_at"])
        if let text: String = row["mentions"], case .array(let items)? = try? JSONValue.parse(Array(text.utf8)) {
            message.mentions = items.compactMap { if case .string(let s) = $0 { s } else { nil } }
        }
        message.resendCount = row["resend_count"] ?? 0
        message.lastResentAt = row["last_resent_at"]
        return message
    }

    static func delivery(_ row: Row) -> Delivery {
        var delivery = Delivery(
            id: row["id"], messageID: row["message_id"], channel: row["channel"], destination: row["destination"],
            state: DeliveryState(rawValue: row["state"] ?? "") ?? .failed, attempts: row["attempts"],
            dueAt: row["due_at"], expiresAt: row["expires_at"], lastError: row["last_error"],
            providerID: row["provider_id"], purpose: row["purpose"], segments: row["segments"],
            createdAt: row["created_at"], updatedAt: row["updated_at"])
        delivery.resendOf = row["resend_of"]
        return delivery
    }

    static func attempt(_ row: Row) -> Attempt {
        Attempt(
            id: row["id"], deliveryID: row["delivery_id"], number: row["number"], startedAt: row["started_at"],
            durationMillis: row["duration_ms"], statusCode: row["status_code"], outcome: row["outcome"],
            error: row["error"], providerID: row["provider_id"])
    }

    static func event(_ row: Row) -> Event {
        Event(
            id: row["id"], messageID: row["message_id"], deliveryID: row["delivery_id"], type: row["type"],
            state: (row["state"] as String?).flatMap(DeliveryState.init(rawValue:)), detail: row["detail"],
            actor: row["actor"], createdAt: row["created_at"])
    }

    /// Appends one event row (cached statement: this is on the hot path).
    static func insertEvent(
        _ db: Database, messageID: String, deliveryID: String?, type: String, state: DeliveryState?,
        detail: String?, actor: String?, at: Int64
    ) throws {
        let statement = try db.cachedStatement(sql: """
            INSERT INTO events (id, message_id, delivery_id, type, state, detail, actor, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """)
        try statement.execute(arguments: [
            HeraldID.make(.event), messageID, deliveryID, type, state?.rawValue, detail, actor, at,
        ])
    }
}
