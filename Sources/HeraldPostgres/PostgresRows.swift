import HeraldCore
import HeraldStore
import Logging
import PostgresNIO

/// Row decoding for the PostgreSQL store (the columns of ``StoreColumns``).
enum PostgresRows {
    static func message(_ row: PGRow) throws -> Message {
        var message = Message(
            id: try row["id"], idempotencyKey: try row["idempotency_key"], clientID: try row["client_id"],
            template: try row["template"], subject: try row["subject"], text: try row["text"], html: try row["html"],
            data: try row["data"], locale: try row["locale"],
            priority: MessageRequest.Priority(rawValue: try row["priority"]) ?? .normal,
            category: MessageRequest.Category(rawValue: try row["category"]) ?? .transactional,
            sendAt: try row["send_at"], expiresAt: try row["expires_at"], replyTo: try row["reply_to"],
            tracking: try row["tracking"], createdAt: try row["created_at"])
        message.mentions = Mentions.fromStored(try row["mentions"])
        message.resendCount = try row["resend_count"]
        message.lastResentAt = try row["last_resent_at"]
        message.actor = try row["actor"]
        message.tier = try row["tier"]
        return message
    }

    static func delivery(_ row: PGRow) throws -> Delivery {
        var delivery = Delivery(
            id: try row["id"], messageID: try row["message_id"], channel: try row["channel"],
            destination: try row["destination"], state: DeliveryState(rawValue: try row["state"]) ?? .failed,
            attempts: try row["attempts"], dueAt: try row["due_at"], expiresAt: try row["expires_at"],
            lastError: try row["last_error"], providerID: try row["provider_id"], purpose: try row["purpose"],
            segments: try row["segments"], createdAt: try row["created_at"], updatedAt: try row["updated_at"])
        delivery.resendOf = try row["resend_of"]
        return delivery
    }

    static func attempt(_ row: PGRow) throws -> Attempt {
        Attempt(
            id: try row["id"], deliveryID: try row["delivery_id"], number: try row["number"],
            startedAt: try row["started_at"], durationMillis: try row["duration_ms"], statusCode: try row["status_code"],
            outcome: try row["outcome"], error: try row["error"], providerID: try row["provider_id"])
    }

    static func event(_ row: PGRow) throws -> Event {
        Event(
            id: try row["id"], messageID: try row["message_id"], deliveryID: try row["delivery_id"], type: try row["type"],
            state: (try row["state"] as String?).flatMap(DeliveryState.init(rawValue:)), detail: try row["detail"],
            actor: try row["actor"], createdAt: try row["created_at"])
    }

    /// An event row to write.
    struct NewEvent {
        var messageID: String
        var deliveryID: String?
        var type: String
        var state: DeliveryState?
        var detail: String?
        var actor: String?
        var at: Int64
    }

    /// Appends event rows with one statement.
    static func insertEvents(_ conn: PostgresConnection, _ logger: Logger, _ events: [NewEvent]) async throws {
        guard !events.isEmpty else { return }
        var s = PGStatement("INSERT INTO events (id, message_id, delivery_id, type, state, detail, actor, created_at) VALUES ")
        let rows = events.map { e in
            "(\(s.bind(HeraldID.make(.event))), \(s.bind(e.messageID)), \(s.bind(e.deliveryID))::text, \(s.bind(e.type)), "
                + "\(s.bind(e.state?.rawValue))::text, \(s.bind(e.detail))::text, \(s.bind(e.actor))::text, \(s.bind(e.at)))"
        }
        s.append(rows.joined(separator: ", "))
        try await conn.run(s.query, logger: logger)
    }

    /// Appends one event row.
    static func insertEvent(
        _ conn: PostgresConnection, _ logger: Logger, messageID: String, deliveryID: String?, type: String,
        state: DeliveryState?, detail: String?, actor: String?, at: Int64
    ) async throws {
        try await conn.run(
            """
            INSERT INTO events (id, message_id, delivery_id, type, state, detail, actor, created_at)
            VALUES (\(HeraldID.make(.event)), \(messageID), \(deliveryID), \(type), \(state?.rawValue), \(detail), \(actor), \(at))
            """, logger: logger)
    }
}
