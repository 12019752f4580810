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
}
