import GRDB
import HeraldCore

// MARK: - Redrives: sending again what gave up.

extension SQLiteStore {
    public func redrive(_ request: RedriveRequest) async throws -> RedrivePage {
        do {
            // The filter walks the deliveries that gave up (its own partial index), on a reader; the
            // writer then only re-reads the picked rows by key, still in a state to redrive, and
            // enqueues blocked behind it wait for the inserts alone.
            let picked = try await pool.read { db in try Self.pick(request, db: db) }
            let nextCursor = picked.count == request.limit ? picked.last : nil
            let items = request.dryRun
                ? try await pool.read { db in try Self.redrive(picked, request, db: db) }
                : try await pool.write { db in try Self.redrive(picked, request, db: db) }
            return RedrivePage(items: items, nextCursor: nextCursor)
        } catch {
            throw SQLiteErrors.map(error)
        }
    }

    /// The states come from the enum, never from input text.
    private static func states(_ request: RedriveRequest) -> String {
        request.states.map { "'\($0.rawValue)'" }.joined(separator: ", ")
    }

    /// The walk over the deliveries in a state to redrive, in id order after a cursor: through the
    /// partial index `deliveries_gave_up`, so it reads the deliveries that gave up and no others.
    static func pickSQL(_ request: RedriveRequest) -> String {
        """
        SELECT id FROM deliveries
        WHERE \(SQLiteRows.gaveUp) AND state IN (\(states(request))) AND (?1 IS NULL OR channel = ?1)
            AND (?2 IS NULL OR updated_at >= ?2) AND (?3 IS NULL OR updated_at < ?3) AND id > ?4
        ORDER BY id LIMIT ?5
        """
    }

    private static func pick(_ request: RedriveRequest, db: Database) throws -> [String] {
        try String.fetchAll(
            db, sql: pickSQL(request),
            arguments: [request.channel, request.since, request.until, request.after ?? "", request.limit])
    }

    private static func redrive(_ picked: [String], _ request: RedriveRequest, db: Database) throws -> [RedriveItem] {
        if picked.isEmpty { return [] }
        let rows = try Row.fetchAll(
            db,
            sql: """
                SELECT d.id, d.message_id, d.channel, d.destination, d.state, d.attempts, d.last_error, d.expires_at,
                    d.fallback, d.updated_at, m.category
                FROM deliveries d JOIN messages m ON m.id = d.message_id
                WHERE d.id IN (\(SQLiteRows.placeholders(picked.count)))
                    AND d.state IN (\(states(request)))
                ORDER BY d.id
                """,
            arguments: StatementArguments(picked))
        let fallbackTaken = try db.cachedStatement(sql: """
            SELECT id, channel FROM deliveries WHERE message_id = ? AND purpose = 'fallback' AND created_at = ? AND id > ? LIMIT 1
            """)
        let redrivenBefore = try db.cachedStatement(sql: """
            SELECT detail FROM events WHERE message_id = ? AND delivery_id = ? AND type = 'redriven' LIMIT 1
            """)
        let insert = try db.cachedStatement(sql: """
            INSERT INTO deliveries (id, message_id, channel, destination, state, attempts, due_at, expires_at, purpose, fallback,
                created_at, updated_at)
            VALUES (?, ?, ?, ?, 'queued', 0, ?, ?, 'redrive', ?, ?, ?)
            """)
        var counts = SQLiteDeliveryCounts()
        var items: [RedriveItem] = []
        for row in rows {
            var item = RedriveItem(
                deliveryID: row["id"], messageID: row["message_id"], channel: row["channel"], destination: row["destination"],
                state: DeliveryState(rawValue: row["state"]) ?? .dead, attempts: row["attempts"], lastError: row["last_error"])
            let expiresAt: Int64? = row["expires_at"]
            let category = MessageRequest.Category(rawValue: row["category"]) ?? .transactional
            if item.destination == Erasure.marker {
                item.skipped = StoreText.RedriveSkip.erased
            } else if let expiresAt, expiresAt <= request.now {
                item.skipped = StoreText.RedriveSkip.expired(at: expiresAt)
            } else if let reason = try SQLiteSuppressions.hit(address: item.destination, category: category, channel: item.channel, db: db)?.text {
                item.skipped = StoreText.RedriveSkip.suppressed(reason)
            } else if let taken = try Row.fetchOne(
                fallbackTaken, arguments: [item.messageID, row["updated_at"] as Int64, item.deliveryID])
            {
                item.skipped = StoreText.RedriveSkip.fallback(taken["id"], channel: taken["channel"])
            } else if let before = try Row.fetchOne(redrivenBefore, arguments: [item.messageID, item.deliveryID]) {
                item.skipped = StoreText.RedriveSkip.redrivenBefore(before["detail"])
            } else if !request.dryRun {
                let id = HeraldID.make(.delivery)
                try insert.execute(arguments: [
                    id, item.messageID, item.channel, item.destination, request.now, expiresAt, row["fallback"] as String?,
                    request.now, request.now,
                ])
                counts.inserted(.queued)
                try SQLiteRows.insertEvent(
                    db, messageID: item.messageID, deliveryID: item.deliveryID, type: "redriven", state: item.state,
                    detail: StoreText.redriven(as: id, reason: request.reason), actor: request.actor, at: request.now)
                try SQLiteRows.insertEvent(
                    db, messageID: item.messageID, deliveryID: id, type: "queued", state: .queued,
                    detail: StoreText.redriveOf(item, reason: request.reason), actor: request.actor, at: request.now)
                item.newDeliveryID = id
            }
            items.append(item)
        }
        if !request.dryRun { try counts.apply(db) }
        return items
    }
}
