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

// MARK: - Reading messages.

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
                conditions.append("m.client_id IN (\(SQLiteRows.placeholders(query.clientIDs.count)))")
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

    /// The FROM and WHERE of ``gaveUp(clientIDs:since:createdSince:limit:)`` for `clients` client
    /// ids; bound: the lowest delivery id, `since`, then the client ids. The state test is
    /// ``SQLiteRows/gaveUp`` on `d`, spelled as the partial index's predicate so that SQLite uses it.
    static func gaveUpFrom(clients: Int) -> String {
        """
        FROM deliveries d JOIN messages m ON m.id = d.message_id
        WHERE (d.state = 'dead' OR d.state = 'failed') AND d.id >= ? AND d.updated_at >= ?
        AND m.client_id IN (\(SQLiteRows.placeholders(clients)))
        """
    }

    public func gaveUp(clientIDs: [String], since: Int64, createdSince: Int64, limit: Int) async throws -> GaveUpDeliveries {
        guard !clientIDs.isEmpty else { return GaveUpDeliveries(total: 0, newest: []) }
        return try await pool.read { db in
            var total = 0
            var newest: [Delivery] = []
            // Through the partial index of the deliveries that gave up, from the first id made at
            // `createdSince`; the client ids in parts, one SQL list each.
            for start in stride(from: 0, to: clientIDs.count, by: 1_000) {
                let part = Array(clientIDs[start..<min(start + 1_000, clientIDs.count)])
                let from = Self.gaveUpFrom(clients: part.count)
                var arguments: [(any DatabaseValueConvertible)?] = [HeraldID.lowerBound(.delivery, atMillis: createdSince), since]
                arguments += part.map { $0 }
                total += try Int.fetchOne(db, sql: "SELECT count(*) " + from, arguments: StatementArguments(arguments)) ?? 0
                newest += try Row.fetchAll(
                    db, sql: "SELECT \(StoreColumns.delivery(prefix: "d.")) \(from) ORDER BY d.updated_at DESC, d.id DESC LIMIT \(max(0, limit))",
                    arguments: StatementArguments(arguments)
                ).map(SQLiteRows.delivery)
            }
            newest = Array(newest.sorted(by: GaveUpDeliveries.newerFirst).prefix(max(0, limit)))
            let messages = try SQLiteQueries.messages(ids: Set(newest.map(\.messageID)), db: db)
            return GaveUpDeliveries(total: total, newest: newest.compactMap { d in messages[d.messageID].map { ($0, d) } })
        }
    }
}
