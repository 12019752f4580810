import HeraldCore
import HeraldStore
import PostgresNIO

// MARK: - Redrives: sending again what gave up.

extension PostgresStore {
    public func redrive(_ request: RedriveRequest) async throws -> RedrivePage {
        if request.dryRun {
            return try await read { conn in try await self.redrive(request, conn: conn) }
        }
        return try await write { conn in
            let page = try await self.redrive(request, conn: conn)
            if !page.redriven.isEmpty {
                try await conn.run("SELECT pg_notify(\(Self.workChannel), 'redriven')", logger: self.logger)
            }
            return page
        }
    }

    /// The deliveries of one page, locked. FOR UPDATE (not in a dry run, which reads a snapshot): two
    /// redrives at once, from two instances, wait for each other on the same rows, and the second
    /// sees the first's event. The first state term is the predicate of `deliveries_gave_up`, the
    /// partial index the walk goes through, so it reads the deliveries that gave up and no others.
    static func pickQuery(_ request: RedriveRequest) -> PostgresQuery {
        let states = request.states.map(\.rawValue)
        return """
            SELECT d.id, d.message_id, d.channel, d.destination, d.state, d.attempts, d.last_error, d.expires_at,
                d.fallback, d.updated_at, m.category
            FROM deliveries d JOIN messages m ON m.id = d.message_id
            WHERE d.state IN ('dead', 'failed') AND d.state = ANY(\(states))
                AND (\(request.channel)::text IS NULL OR d.channel = \(request.channel))
                AND (\(request.since)::bigint IS NULL OR d.updated_at >= \(request.since))
                AND (\(request.until)::bigint IS NULL OR d.updated_at < \(request.until)) AND d.id > \(request.after ?? "")
            ORDER BY d.id LIMIT \(request.limit) \(unescaped: request.dryRun ? "" : "FOR UPDATE OF d")
            """
    }

    private func redrive(_ request: RedriveRequest, conn: PostgresConnection) async throws -> RedrivePage {
        let rows = try await conn.rows(Self.pickQuery(request), logger: logger)
        var items: [RedriveItem] = []
        for row in rows {
            var item = RedriveItem(
                deliveryID: try row["id"], messageID: try row["message_id"], channel: try row["channel"],
                destination: try row["destination"], state: DeliveryState(rawValue: try row["state"]) ?? .dead,
                attempts: try row["attempts"], lastError: try row["last_error"])
            let expiresAt: Int64? = try row["expires_at"]
            let updatedAt: Int64 = try row["updated_at"]
            let fallback: String? = try row["fallback"]
            let category = MessageRequest.Category(rawValue: try row["category"]) ?? .transactional
            if item.destination == Erasure.marker {
                item.skipped = StoreText.RedriveSkip.erased
            } else if let expiresAt, expiresAt <= request.now {
                item.skipped = StoreText.RedriveSkip.expired(at: expiresAt)
            } else if let reason = try await PostgresSuppressions.hit(
                address: item.destination, category: category, channel: item.channel, conn: conn, logger: logger)?.text
            {
                item.skipped = StoreText.RedriveSkip.suppressed(reason)
            } else if let taken = try await conn.row(
                """
                SELECT id, channel FROM deliveries WHERE message_id = \(item.messageID) AND purpose = 'fallback'
                    AND created_at = \(updatedAt) AND id > \(item.deliveryID) LIMIT 1
                """, logger: logger)
            {
                item.skipped = StoreText.RedriveSkip.fallback(try taken["id"], channel: try taken["channel"])
            } else if let before = try await conn.row(
                """
                SELECT detail FROM events WHERE message_id = \(item.messageID) AND delivery_id = \(item.deliveryID)
                    AND type = 'redriven' LIMIT 1
                """, logger: logger)
            {
                item.skipped = StoreText.RedriveSkip.redrivenBefore(try before["detail"])
            } else if !request.dryRun {
                let id = HeraldID.make(.delivery)
                try await conn.run(
                    """
                    INSERT INTO deliveries (id, message_id, channel, destination, state, attempts, due_at, expires_at, purpose,
                        fallback, created_at, updated_at)
                    VALUES (\(id), \(item.messageID), \(item.channel), \(item.destination), 'queued', 0, \(request.now),
                        \(expiresAt), 'redrive', \(fallback), \(request.now), \(request.now))
                    """, logger: logger)
                try await PostgresRows.insertEvent(
                    conn, logger, messageID: item.messageID, deliveryID: item.deliveryID, type: "redriven", state: item.state,
                    detail: StoreText.redriven(as: id, reason: request.reason), actor: request.actor, at: request.now)
                try await PostgresRows.insertEvent(
                    conn, logger, messageID: item.messageID, deliveryID: id, type: "queued", state: .queued,
                    detail: StoreText.redriveOf(item, reason: request.reason), actor: request.actor, at: request.now)
                item.newDeliveryID = id
            }
            items.append(item)
        }
        return RedrivePage(items: items, nextCursor: rows.count == request.limit ? items.last?.deliveryID : nil)
    }
}
