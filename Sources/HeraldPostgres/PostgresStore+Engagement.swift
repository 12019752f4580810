import HeraldCore
import HeraldStore
import PostgresNIO

// MARK: - Opens, clicks, receipts and unsubscribes reported from outside.

extension PostgresStore {
    public func recordEngagement(
        deliveryID: String, kind: TrackedLink.Kind, url: String?, userAgent: String?, at: Int64
    ) async throws -> Bool {
        try await write { conn in
            // FOR UPDATE: two instances recording the first open at once move the state once.
            guard let row = try await conn.row(
                "SELECT message_id, state, engaged FROM deliveries WHERE id = \(deliveryID) FOR UPDATE", logger: self.logger)
            else { return false }
            let state = DeliveryState(rawValue: try row["state"]) ?? .failed
            let target: DeliveryState = kind == .click ? .clicked : .opened
            // A machine's fetch is on record but does not make the delivery opened or clicked.
            let actor = EngagementActor.classify(userAgent: userAgent)
            var newState: DeliveryState? = nil
            if actor == EngagementActor.person && DeliveryStateMachine.canTransition(from: state, to: target) {
                try await conn.run(
                    "UPDATE deliveries SET state = \(target.rawValue), updated_at = \(at) WHERE id = \(deliveryID)",
                    logger: self.logger)
                newState = target
            } else if actor == EngagementActor.person && state == .sending {
                // Opened before the send is on record: kept for `record` (see SQLiteStore).
                let kept = DeliveryStateMachine.furthestEngagement(
                    kept: (try row["engaged"] as String?).flatMap(DeliveryState.init(rawValue:)), new: target)
                try await conn.run("UPDATE deliveries SET engaged = \(kept.rawValue) WHERE id = \(deliveryID)", logger: self.logger)
            }
            try await PostgresRows.insertEvent(
                conn, self.logger, messageID: try row["message_id"], deliveryID: deliveryID, type: target.rawValue,
                state: newState, detail: StoreText.engagement(url: url, userAgent: userAgent), actor: actor, at: at)
            return true
        }
    }

    public func recordReceipt(
        deliveryID id: String, providerID: String, channel: String, state: DeliveryState, detail: String, unreachable: Bool,
        at: Int64
    ) async throws -> Bool {
        try await write { conn in
            guard let row = try await conn.row(
                """
                SELECT message_id, state FROM deliveries
                WHERE id = \(id) AND provider_id = \(providerID) AND channel = \(channel) FOR UPDATE
                """, logger: self.logger)
            else { return false }
            let current = DeliveryState(rawValue: try row["state"]) ?? .failed
            var moved: DeliveryState? = nil
            if DeliveryStateMachine.canTransition(from: current, to: state) {
                try await conn.run(
                    """
                    UPDATE deliveries SET state = \(state.rawValue), last_error = \(state == .failed ? detail : nil),
                        updated_at = \(at) WHERE id = \(id)
                    """, logger: self.logger)
                moved = state
            }
            let bounced = unreachable && moved == .failed
            try await PostgresRows.insertEvent(
                conn, self.logger, messageID: try row["message_id"], deliveryID: id, type: bounced ? "bounced" : state.rawValue,
                state: moved, detail: moved == nil ? StoreText.receiptKept(detail, current: current) : detail, actor: "provider", at: at)
            if bounced {
                try await PostgresSuppressions.addForDelivery(
                    deliveryID: id, category: Suppressions.channelCategory(channel), source: .bounce, reason: detail, at: at,
                    conn: conn, logger: self.logger)
            }
            if moved == .failed {
                try await PostgresFallback.next(after: id, reason: detail, at: at, conn: conn, logger: self.logger)
            }
            return true
        }
    }

    public func recordBounce(deliveryID id: String, recipient: String, addressRefused: Bool, detail: String, at: Int64) async throws
        -> BounceResult
    {
        try await write { conn in
            guard let row = try await conn.row(
                "SELECT message_id, destination, state FROM deliveries WHERE id = \(id) FOR UPDATE", logger: self.logger),
                (try row["destination"] as String).lowercased() == recipient.lowercased()
            else { return .unknown }
            let current = DeliveryState(rawValue: try row["state"]) ?? .failed
            // (`sending`: the send's own outcome is on its way and decides.)
            guard current != .sending, DeliveryStateMachine.canTransition(from: current, to: .failed) else { return .unchanged(current) }
            try await conn.run(
                "UPDATE deliveries SET state = 'failed', last_error = \(detail), updated_at = \(at) WHERE id = \(id)", logger: self.logger)
            try await PostgresRows.insertEvent(
                conn, self.logger, messageID: try row["message_id"], deliveryID: id, type: addressRefused ? "bounced" : "failed", state: .failed, detail: detail,
                actor: "provider", at: at)
            if addressRefused {
                try await PostgresSuppressions.addForBounce(deliveryID: id, reason: detail, at: at, conn: conn, logger: self.logger)
            }
            try await PostgresFallback.next(after: id, reason: detail, at: at, conn: conn, logger: self.logger)
            return addressRefused ? .bounced : .failed
        }
    }

    public func unsubscribe(deliveryID: String, at: Int64) async throws -> String? {
        try await write { conn in
            guard let row = try await conn.row(
                "SELECT message_id, destination FROM deliveries WHERE id = \(deliveryID)", logger: self.logger)
            else { return nil }
            let address: String = try row["destination"]
            let added = try await conn.row(
                """
                INSERT INTO suppressions (address, category, reason, source, delivery_id, created_at)
                VALUES (\(address.lowercased()), 'marketing', \(StoreText.unsubscribeReason), 'unsubscribe', \(deliveryID), \(at))
                ON CONFLICT (address, category) DO NOTHING RETURNING address
                """, logger: self.logger)
            if added != nil {
                try await PostgresRows.insertEvent(
                    conn, self.logger, messageID: try row["message_id"], deliveryID: deliveryID, type: "unsubscribed",
                    state: nil, detail: StoreText.unsubscribed, actor: "recipient", at: at)
            }
            return address
        }
    }
}
