import GRDB
import HeraldCore

// MARK: - Resends.

extension SQLiteStore {
    public func resend(_ plan: ResendPlan) async throws -> [Delivery] {
        try await pool.write { db in
            guard let row = try Row.fetchOne(
                db, sql: "SELECT category, resend_count, last_resent_at, created_at FROM messages WHERE id = ?",
                arguments: [plan.messageID])
            else { throw HeraldError.notFound("no message with id \(plan.messageID)") }
            let count: Int = row["resend_count"]
            let lastSend: Int64 = row["last_resent_at"] ?? row["created_at"]
            if let refusal = ResendPlan.refusal(
                resendCount: count, lastSend: lastSend, maxResends: plan.maxResends, minInterval: plan.minInterval, now: plan.at)
            {
                throw HeraldError.conflict(refusal)
            }
            guard !plan.items.isEmpty else { throw HeraldError.conflict("nothing to resend") }
            let category = MessageRequest.Category(rawValue: row["category"]) ?? .transactional
            try db.execute(
                sql: "UPDATE messages SET resend_count = resend_count + 1, last_resent_at = ? WHERE id = ?",
                arguments: [plan.at, plan.messageID])
            let insert = try db.cachedStatement(sql: """
                INSERT INTO deliveries (id, message_id, channel, destination, state, attempts, due_at, expires_at, last_error,
                    purpose, resend_of, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, 0, ?, ?, ?, 'resend', ?, ?, ?)
                """)
            var made: [Delivery] = []
            var counts = SQLiteDeliveryCounts()
            for item in plan.items {
                var state: DeliveryState = item.dueAt > plan.at ? .scheduled : .queued
                var lastError: String? = nil
                if let reason = try SQLiteSuppressions.hit(address: item.destination, category: category, channel: item.channel, db: db)?.text {
                    state = .suppressed
                    lastError = StoreText.suppressed(reason)
                }
                try insert.execute(arguments: [
                    item.id, plan.messageID, item.channel, item.destination, state.rawValue, item.dueAt, item.expiresAt, lastError,
                    item.source,
                    plan.at, plan.at,
                ])
                counts.inserted(state)
                let detail = StoreText.resent(
                    number: count + 1, source: item.source, reason: plan.reason, held: item.held, lastError: lastError)
                try SQLiteRows.insertEvent(
                    db, messageID: plan.messageID, deliveryID: item.id, type: "resent", state: state, detail: detail,
                    actor: plan.actor, at: plan.at)
                made.append(StoreText.resentDelivery(item, messageID: plan.messageID, state: state, lastError: lastError, at: plan.at))
            }
            try counts.apply(db)
            return made
        }
    }
}
