import GRDB
import HeraldCore

// MARK: - Opens, clicks and unsubscribes reported by recipients.

extension SQLiteStore {
    public func recordEngagement(
        deliveryID: String, kind: TrackedLink.Kind, url: String?, userAgent: String?, at: Int64
    ) async throws -> Bool {
        try await pool.write { db in
            guard let row = try Row.fetchOne(
                db.cachedStatement(sql: "SELECT message_id, state, engaged FROM deliveries WHERE id = ?"), arguments: [deliveryID])
            else { return false }
            let messageID: String = row["message_id"]
            let state = DeliveryState(rawValue: row["state"]) ?? .failed
            let target: DeliveryState = kind == .click ? .clicked : .opened
            // A machine's fetch is on record but does not make the delivery opened or clicked.
            let actor = EngagementActor.classify(userAgent: userAgent)
            var newState: DeliveryState? = nil
            if actor == EngagementActor.person && DeliveryStateMachine.canTransition(from: state, to: target) {
                try db.cachedStatement(sql: "UPDATE deliveries SET state = ?, updated_at = ? WHERE id = ?")
                    .execute(arguments: [target.rawValue, at, deliveryID])
                newState = target
            } else if actor == EngagementActor.person && state == .sending {
                // Opened before the send is on record (the provider took it; the writer has not
                // committed the outcome yet): kept for `record`, which moves the delivery on.
                let kept = DeliveryStateMachine.furthestEngagement(
                    kept: (row["engaged"] as String?).flatMap(DeliveryState.init(rawValue:)), new: target)
                try db.cachedStatement(sql: "UPDATE deliveries SET engaged = ? WHERE id = ?")
                    .execute(arguments: [kept.rawValue, deliveryID])
            }
            try SQLiteRows.insertEvent(
                db, messageID: messageID, deliveryID: deliveryID, type: target.rawValue, state: newState,
                detail: StoreText.engagement(url: url, userAgent: userAgent), actor: actor, at: at)
            return true
        }
    }

    public func recordReceipt(
        deliveryID id: String, providerID: String, channel: String, state: DeliveryState, detail: String, unreachable: Bool,
        at: Int64
    ) async throws -> Bool {
        try await pool.write { db in
            guard let row = try Row.fetchOne(
                db.cachedStatement(sql: "SELECT message_id, state FROM deliveries WHERE id = ? AND provider_id = ? AND channel = ?"),
                arguments: [id, providerID, channel])
            else { return false }
            let current = DeliveryState(rawValue: row["state"]) ?? .failed
            var moved: DeliveryState? = nil
            if DeliveryStateMachine.canTransition(from: current, to: state) {
                try db.cachedStatement(sql: "UPDATE deliveries SET state = ?, last_error = ?, updated_at = ? WHERE id = ?")
                    .execute(arguments: [state.rawValue, state == .failed ? detail : nil, at, id])
                moved = state
            }
            let bounced = unreachable && moved == .failed
            try SQLiteRows.insertEvent(
                db, messageID: row["message_id"], deliveryID: id, type: bounced ? "bounced" : state.rawValue, state: moved,
                detail: moved == nil ? StoreText.receiptKept(detail, current: current) : detail,
                actor: "provider", at: at)
            if bounced {
                try SQLiteSuppressions.addForDelivery(
                    deliveryID: id, category: Suppressions.channelCategory(channel), source: .bounce, reason: detail, at: at, db: db)
            }
            if moved == .failed { try SQLiteFallback.next(after: id, reason: detail, at: at, db: db) }
            return true
        }
    }

    public func recordBounce(deliveryID id: String, recipient: String, addressRefused: Bool, detail: String, at: Int64) async throws
        -> BounceResult
    {
        try await pool.write { db in
            guard let row = try Row.fetchOne(
                db.cachedStatement(sql: "SELECT message_id, destination, state FROM deliveries WHERE id = ?"), arguments: [id]),
                (row["destination"] as String).lowercased() == recipient.lowercased()
            else { return .unknown }
            let current = DeliveryState(rawValue: row["state"]) ?? .failed
            // (`sending`: the send's own outcome is on its way and decides.)
            guard current != .sending, DeliveryStateMachine.canTransition(from: current, to: .failed) else { return .unchanged(current) }
            try db.cachedStatement(sql: "UPDATE deliveries SET state = 'failed', last_error = ?, updated_at = ? WHERE id = ?")
                .execute(arguments: [detail, at, id])
            try SQLiteRows.insertEvent(
                db, messageID: row["message_id"], deliveryID: id, type: addressRefused ? "bounced" : "failed", state: .failed, detail: detail, actor: "provider",
                at: at)
            if addressRefused { try SQLiteSuppressions.addForBounce(deliveryID: id, reason: detail, at: at, db: db) }
            try SQLiteFallback.next(after: id, reason: detail, at: at, db: db)
            return addressRefused ? .bounced : .failed
        }
    }

    public func unsubscribe(deliveryID: String, at: Int64) async throws -> String? {
        try await pool.write { db in
            guard let row = try Row.fetchOne(
                db.cachedStatement(sql: "SELECT message_id, destination FROM deliveries WHERE id = ?"), arguments: [deliveryID])
            else { return nil }
            let address: String = row["destination"]
            try db.cachedStatement(sql: """
                INSERT INTO suppressions (address, category, reason, source, delivery_id, created_at)
                VALUES (?, 'marketing', ?, 'unsubscribe', ?, ?)
                ON CONFLICT (address, category) DO NOTHING
                """).execute(arguments: [address.lowercased(), StoreText.unsubscribeReason, deliveryID, at])
            if db.changesCount > 0 {
                try SQLiteRows.insertEvent(
                    db, messageID: row["message_id"], deliveryID: deliveryID, type: "unsubscribed", state: nil,
                    detail: StoreText.unsubscribed, actor: "recipient", at: at)
            }
            return address
        }
    }
}
