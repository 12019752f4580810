import HeraldCore
import HeraldStore
import PostgresNIO

// MARK: - Resends.

extension PostgresStore {
    public func resend(_ plan: ResendPlan) async throws -> [Delivery] {
        try await write { conn in
            // FOR UPDATE: the guard rails are checked against the count no other instance is changing.
            guard let row = try await conn.row(
                """
                SELECT category, resend_count, last_resent_at, created_at FROM messages WHERE id = \(plan.messageID) FOR UPDATE
                """, logger: self.logger)
            else { throw HeraldError.notFound("no message with id \(plan.messageID)") }
            let count: Int = try row["resend_count"]
            let lastSend: Int64 = try row["last_resent_at"] ?? row["created_at"]
            if let refusal = ResendPlan.refusal(
                resendCount: count, lastSend: lastSend, maxResends: plan.maxResends, minInterval: plan.minInterval, now: plan.at)
            {
                throw HeraldError.conflict(refusal)
            }
            guard !plan.items.isEmpty else { throw HeraldError.conflict("nothing to resend") }
            let category = MessageRequest.Category(rawValue: try row["category"]) ?? .transactional
            try await conn.run(
                "UPDATE messages SET resend_count = resend_count + 1, last_resent_at = \(plan.at) WHERE id = \(plan.messageID)",
                logger: self.logger)
            var made: [Delivery] = []
            for item in plan.items {
                var state: DeliveryState = item.dueAt > plan.at ? .scheduled : .queued
                var lastError: String? = nil
                if let reason = try await PostgresSuppressions.hit(
                    address: item.destination, category: category, channel: item.channel, conn: conn, logger: self.logger)?.text
                {
                    state = .suppressed
                    lastError = StoreText.suppressed(reason)
                }
                try await conn.run(
                    """
                    INSERT INTO deliveries (id, message_id, channel, destination, state, attempts, due_at, expires_at, last_error,
                        purpose, resend_of, created_at, updated_at)
                    VALUES (\(item.id), \(plan.messageID), \(item.channel), \(item.destination), \(state.rawValue), 0,
                        \(item.dueAt), \(item.expiresAt), \(lastError), 'resend', \(item.source), \(plan.at), \(plan.at))
                    """, logger: self.logger)
                try await PostgresRows.insertEvent(
                    conn, self.logger, messageID: plan.messageID, deliveryID: item.id, type: "resent", state: state,
                    detail: StoreText.resent(
                        number: count + 1, source: item.source, reason: plan.reason, held: item.held, lastError: lastError),
                    actor: plan.actor, at: plan.at)
                made.append(StoreText.resentDelivery(item, messageID: plan.messageID, state: state, lastError: lastError, at: plan.at))
            }
            try await conn.run("SELECT pg_notify(\(Self.workChannel), 'resent')", logger: self.logger)
            return made
        }
    }
}
