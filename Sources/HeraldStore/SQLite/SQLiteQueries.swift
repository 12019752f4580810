import GRDB
import HeraldCore

/// Read queries shared by several store operations.
enum SQLiteQueries {
    static func messages(ids: Set<String>, db: Database) throws -> [String: Message] {
        let statement = try db.cachedStatement(sql: "SELECT \(SQLiteRows.messageColumns) FROM messages WHERE id = ?")
        var result: [String: Message] = [:]
        assert(Array(statement.columnNames.prefix(SQLiteRows.messageNames.count)) == SQLiteRows.messageNames)
        for id in ids {
            // Through the C API: this runs for every message of every claim.
            var lookup = BoundStatement(statement)
            lookup.bind(id)
            if let message = try lookup.firstRow(db, { SQLiteRows.message(columns: $0) }) { result[id] = message }
        }
        return result
    }

    static func deliveries(messageID: String, db: Database) throws -> [Delivery] {
        let statement = try db.cachedStatement(
            sql: "SELECT \(SQLiteRows.deliveryColumns) FROM deliveries WHERE message_id = ? ORDER BY id")
        return try Array(Row.fetchCursor(statement, arguments: [messageID]).map(SQLiteRows.delivery))
    }

    static func messageWithDeliveries(id: String, db: Database) throws -> (Message, [Delivery])? {
        guard let message = try messages(ids: [id], db: db)[id] else { return nil }
        return (message, try deliveries(messageID: id, db: db))
    }

    static func detail(id: String, db: Database) throws -> MessageDetail? {
        guard let (message, deliveries) = try messageWithDeliveries(id: id, db: db) else { return nil }
        let attemptStatement = try db.cachedStatement(
            sql: "SELECT \(SQLiteRows.attemptColumns) FROM attempts WHERE delivery_id = ? ORDER BY id")
        var attempts: [Attempt] = []
        for d in deliveries {
            attempts += try Row.fetchAll(attemptStatement, arguments: [d.id]).map(SQLiteRows.attempt)
        }
        let events = try Row.fetchAll(
            db, sql: "SELECT \(SQLiteRows.eventColumns) FROM events WHERE message_id = ? ORDER BY id", arguments: [id]
        ).map(SQLiteRows.event)
        return MessageDetail(message: message, deliveries: deliveries, attempts: attempts.sorted { $0.id < $1.id },
                             events: EnqueueEvents.merged(events, message: message, deliveries: deliveries))
    }
}

// MARK: - Reading and cancelling messages.

extension SQLiteStore {
    public func message(id: String) async throws -> MessageDetail? {
        try await pool.read { db in try SQLiteQueries.detail(id: id, db: db) }
    }

    public func messages(ids: [String]) async throws -> [MessageDetail] {
        try await pool.read { db in try ids.compactMap { try SQLiteQueries.detail(id: $0, db: db) } }
    }

    public func messages(matching query: MessageQuery) async throws -> MessagePage {
        try await pool.read { db in
            var conditions: [String] = []
            var arguments: [(any DatabaseValueConvertible)?] = []
            if let client = query.clientID {
                conditions.append("m.client_id = ?")
                arguments.append(client)
            }
            if let template = query.template {
                conditions.append("m.template = ?")
                arguments.append(template)
            }
            if let since = query.since {
                conditions.append("m.created_at >= ?")
                arguments.append(since)
            }
            if let before = query.before {
                conditions.append("m.created_at <= ?")
                arguments.append(before)
            }
            if !query.clientIDs.isEmpty {
                conditions.append("m.client_id IN (\(Array(repeating: "?", count: query.clientIDs.count).joined(separator: ", ")))")
                arguments += query.clientIDs.map { $0 }
            }
            if let tier = query.tier {
                conditions.append("m.client_id IN (SELECT id FROM clients WHERE tier = ?)")
                arguments.append(tier)
            }
            if let engagement = query.engagement {
                let states = engagement == .opened || engagement == .unopened ? "'opened', 'clicked'" : "'clicked'"
                let negate = engagement == .unopened || engagement == .unclicked ? "NOT " : ""
                conditions.append("\(negate)EXISTS (SELECT 1 FROM deliveries e WHERE e.message_id = m.id AND e.state IN (\(states)))")
            }
            if let cursor = query.cursor {
                conditions.append("m.id < ?")
                arguments.append(cursor)
            }
            if query.state != nil || query.channel != nil {
                var sub = "EXISTS (SELECT 1 FROM deliveries d WHERE d.message_id = m.id"
                if let state = query.state {
                    sub += " AND d.state = ?"
                    arguments.append(state.rawValue)
                }
                if let channel = query.channel {
                    sub += " AND d.channel = ?"
                    arguments.append(channel)
                }
                conditions.append(sub + ")")
            }
            let limit = max(1, min(query.limit, 500))
            var sql = "SELECT \(SQLiteRows.messageColumns(prefix: "m.")) FROM messages m"
            if !conditions.isEmpty { sql += " WHERE " + conditions.joined(separator: " AND ") }
            sql += " ORDER BY m.id DESC LIMIT \(limit + 1)"
            let rows = try Row.fetchAll(db, sql: sql, arguments: StatementArguments(arguments))
            let messages = rows.prefix(limit).map(SQLiteRows.message)
            let items = try messages.map { ($0, try SQLiteQueries.deliveries(messageID: $0.id, db: db)) }
            return MessagePage(items: items, nextCursor: rows.count > limit ? messages.last?.id : nil)
        }
    }

    public func cancel(messageID: String, actor: String, now: Int64) async throws -> CancelResult {
        try await pool.write { db in
            guard let (_, deliveries) = try SQLiteQueries.messageWithDeliveries(id: messageID, db: db) else {
                throw HeraldError.notFound("no message with id \(messageID)")
            }
            let cancellable = deliveries.filter { DeliveryState.cancellable.contains($0.state) }
            let escalations = try Row.fetchAll(
                db, sql: "SELECT id, channel FROM escalations WHERE message_id = ? AND state = 'pending'", arguments: [messageID])
            // (Through the partial index of open tasks: a message's open calls are among a few.)
            let tasks = try Row.fetchAll(
                db, sql: "SELECT id, delivery_id FROM tasks WHERE status = 'open' AND message_id = ?", arguments: [messageID])
            guard !cancellable.isEmpty || !escalations.isEmpty || !tasks.isEmpty else { throw CancelResult.nothingLeft(deliveries) }
            let statement = try db.cachedStatement(sql: """
                UPDATE deliveries SET state = 'cancelled', updated_at = ?, lease_until = NULL, lease_owner = NULL
                WHERE id = ? AND \(SQLiteRows.waiting)
                """)
            var cancelled: [String] = []
            for d in cancellable {
                try statement.execute(arguments: [now, d.id])
                guard db.changesCount > 0 else { continue }
                cancelled.append(d.id)
                try SQLiteRows.insertEvent(
                    db, messageID: messageID, deliveryID: d.id, type: "cancelled", state: .cancelled, detail: nil,
                    actor: actor, at: now)
            }
            var stopped = 0
            for row in escalations {
                try db.execute(
                    sql: "UPDATE escalations SET state = 'cancelled', settled_at = ? WHERE id = ? AND state = 'pending'",
                    arguments: [now, row["id"] as String])
                guard db.changesCount > 0 else { continue }
                stopped += 1
                try SQLiteRows.insertEvent(
                    db, messageID: messageID, deliveryID: nil, type: "escalation_cancelled", state: nil,
                    detail: StoreText.escalationCancelled(channel: row["channel"]), actor: actor, at: now)
            }
            var closed: [String] = []
            for row in tasks {
                let id: String = row["id"]
                let note = StoreText.taskCancelled(taskID: id)
                try db.execute(
                    sql: """
                        UPDATE tasks SET status = 'cancelled', note = ?, completed_at = ?, completed_by = ?
                        WHERE id = ? AND status = 'open'
                        """,
                    arguments: [note, now, actor, id])
                guard db.changesCount > 0 else { continue }
                closed.append(id)
                try SQLiteRows.insertEvent(
                    db, messageID: messageID, deliveryID: row["delivery_id"], type: "task_cancelled", state: nil, detail: note,
                    actor: actor, at: now)
            }
            guard let detail = try SQLiteQueries.detail(id: messageID, db: db) else {
                throw HeraldError.notFound("no message with id \(messageID)")
            }
            return CancelResult(cancelled: cancelled, escalationsCancelled: stopped, tasksCancelled: closed, detail: detail)
        }
    }
}
