import HeraldCore
import HeraldStore
import Logging
import PostgresNIO

/// Read queries shared by several store operations.
enum PostgresQueries {
    static func messages(ids: [String], conn: PostgresConnection, logger: Logger) async throws -> [String: Message] {
        guard !ids.isEmpty else { return [:] }
        var result: [String: Message] = [:]
        for row in try await conn.rows(
            PostgresQuery(unsafeSQL: "SELECT \(StoreColumns.message) FROM messages WHERE id = ANY($1)", binds: binds(ids)),
            logger: logger)
        {
            let message = try PostgresRows.message(row)
            result[message.id] = message
        }
        return result
    }

    static func deliveries(messageID: String, conn: PostgresConnection, logger: Logger) async throws -> [Delivery] {
        try await conn.rows(
            PostgresQuery(
                unsafeSQL: "SELECT \(StoreColumns.delivery) FROM deliveries WHERE message_id = $1 ORDER BY id",
                binds: binds(messageID)),
            logger: logger
        ).map(PostgresRows.delivery)
    }

    static func messageWithDeliveries(
        id: String, conn: PostgresConnection, logger: Logger
    ) async throws -> (Message, [Delivery])? {
        guard let message = try await messages(ids: [id], conn: conn, logger: logger)[id] else { return nil }
        return (message, try await deliveries(messageID: id, conn: conn, logger: logger))
    }

    static func detail(id: String, conn: PostgresConnection, logger: Logger) async throws -> MessageDetail? {
        guard let (message, deliveries) = try await messageWithDeliveries(id: id, conn: conn, logger: logger) else { return nil }
        let attempts = try await conn.rows(
            PostgresQuery(
                unsafeSQL: "SELECT \(StoreColumns.attempt) FROM attempts WHERE delivery_id = ANY($1) ORDER BY id",
                binds: binds(deliveries.map(\.id))),
            logger: logger
        ).map(PostgresRows.attempt)
        let events = try await conn.rows(
            PostgresQuery(
                unsafeSQL: "SELECT \(StoreColumns.event) FROM events WHERE message_id = $1 ORDER BY id", binds: binds(id)),
            logger: logger
        ).map(PostgresRows.event)
        return MessageDetail(
            message: message, deliveries: deliveries, attempts: attempts,
            events: EnqueueEvents.merged(events, message: message, deliveries: deliveries))
    }

    /// Bindings `$1, $2, …` in order, for statements whose text is assembled from column lists.
    static func binds(_ values: any PostgresNonThrowingEncodable...) -> PostgresBindings {
        var binds = PostgresBindings()
        for value in values { binds.append(value) }
        return binds
    }
}

// MARK: - Reading messages.

extension PostgresStore {
    public func message(id: String) async throws -> MessageDetail? {
        try await read { conn in try await PostgresQueries.detail(id: id, conn: conn, logger: self.logger) }
    }

    /// Four queries for the whole page, whatever its size (a read per message was four each).
    public func messages(ids: [String]) async throws -> [MessageDetail] {
        guard !ids.isEmpty else { return [] }
        return try await read { conn in
            let messages = try await PostgresQueries.messages(ids: ids, conn: conn, logger: self.logger)
            let found = Array(messages.keys)
            func rows<T>(_ sql: String, _ values: [String], _ decode: (PGRow) throws -> T) async throws -> [T] {
                let query = PostgresQuery(unsafeSQL: sql, binds: PostgresQueries.binds(values))
                return try await conn.rows(query, logger: self.logger).map(decode)
            }
            let deliveries = try await rows(
                "SELECT \(StoreColumns.delivery) FROM deliveries WHERE message_id = ANY($1) ORDER BY id", found,
                PostgresRows.delivery)
            let attempts = try await rows(
                "SELECT \(StoreColumns.attempt) FROM attempts WHERE delivery_id = ANY($1) ORDER BY id", deliveries.map(\.id),
                PostgresRows.attempt)
            let events = try await rows(
                "SELECT \(StoreColumns.event) FROM events WHERE message_id = ANY($1) ORDER BY id", found, PostgresRows.event)
            let deliveriesOf = Dictionary(grouping: deliveries, by: \.messageID)
            let messageOf = Dictionary(deliveries.map { ($0.id, $0.messageID) }, uniquingKeysWith: { first, _ in first })
            let attemptsOf = Dictionary(grouping: attempts) { messageOf[$0.deliveryID] ?? "" }
            let eventsOf = Dictionary(grouping: events, by: \.messageID)
            return ids.compactMap { id in
                guard let message = messages[id] else { return nil }
                let mine = deliveriesOf[id] ?? []
                return MessageDetail(
                    message: message, deliveries: mine, attempts: attemptsOf[id] ?? [],
                    events: EnqueueEvents.merged(eventsOf[id] ?? [], message: message, deliveries: mine))
            }
        }
    }

    public func messages(matching query: MessageQuery) async throws -> MessagePage {
        var s = PGStatement("SELECT \(StoreColumns.message(prefix: "m.")) FROM messages m")
        var conditions: [String] = []
        if let client = query.clientID { conditions.append("m.client_id = \(s.bind(client))") }
        if let template = query.template { conditions.append("m.template = \(s.bind(template))") }
        if let since = query.since { conditions.append("m.created_at >= \(s.bind(since))") }
        if let before = query.before { conditions.append("m.created_at <= \(s.bind(before))") }
        if !query.clientIDs.isEmpty { conditions.append("m.client_id = ANY(\(s.bind(query.clientIDs)))") }
        if let tier = query.tier { conditions.append("m.client_id IN (SELECT id FROM clients WHERE tier = \(s.bind(tier)))") }
        if let engagement = query.engagement {
            let states = engagement == .opened || engagement == .unopened ? "'opened', 'clicked'" : "'clicked'"
            let negate = engagement == .unopened || engagement == .unclicked ? "NOT " : ""
            conditions.append("\(negate)EXISTS (SELECT 1 FROM deliveries e WHERE e.message_id = m.id AND e.state IN (\(states)))")
        }
        if let cursor = query.cursor { conditions.append("m.id < \(s.bind(cursor))") }
        if query.state != nil || query.channel != nil {
            var sub = "EXISTS (SELECT 1 FROM deliveries d WHERE d.message_id = m.id"
            if let state = query.state { sub += " AND d.state = \(s.bind(state.rawValue))" }
            if let channel = query.channel { sub += " AND d.channel = \(s.bind(channel))" }
            conditions.append(sub + ")")
        }
        let limit = max(1, min(query.limit, 500))
        if !conditions.isEmpty { s.append(" WHERE " + conditions.joined(separator: " AND ")) }
        s.append(" ORDER BY m.id DESC LIMIT \(limit + 1)")
        let statement = s
        return try await read { conn in
            let rows = try await conn.rows(statement.query, logger: self.logger)
            var items: [(message: Message, deliveries: [Delivery])] = []
            for row in rows.prefix(limit) {
                let message = try PostgresRows.message(row)
                items.append((message, try await PostgresQueries.deliveries(messageID: message.id, conn: conn, logger: self.logger)))
            }
            return MessagePage(items: items, nextCursor: rows.count > limit ? items.last?.message.id : nil)
        }
    }

    /// The statement of ``gaveUp(clientIDs:since:createdSince:limit:)``: through the partial index of
    /// the deliveries that gave up, from the first id made at `createdSince`, with a window count
    /// taken before the LIMIT.
    static func gaveUpQuery(clientIDs: [String], since: Int64, createdSince: Int64, limit: Int) -> PostgresQuery {
        var s = PGStatement("SELECT \(StoreColumns.delivery(prefix: "d.")), COUNT(*) OVER () AS total ")
        s.append("FROM deliveries d JOIN messages m ON m.id = d.message_id WHERE d.state IN ('dead', 'failed') ")
        s.append("AND d.id >= \(s.bind(HeraldID.lowerBound(.delivery, atMillis: createdSince))) AND d.updated_at >= \(s.bind(since)) ")
        s.append("AND m.client_id = ANY(\(s.bind(clientIDs))) ORDER BY d.updated_at DESC, d.id DESC LIMIT \(max(1, limit))")
        return s.query
    }

    public func gaveUp(clientIDs: [String], since: Int64, createdSince: Int64, limit: Int) async throws -> GaveUpDeliveries {
        guard !clientIDs.isEmpty else { return GaveUpDeliveries(total: 0, newest: []) }
        let statement = Self.gaveUpQuery(clientIDs: clientIDs, since: since, createdSince: createdSince, limit: limit)
        return try await read { conn in
            let rows = try await conn.rows(statement, logger: self.logger)
            let total: Int64 = try rows.first?["total"] ?? 0
            let newest = try rows.prefix(max(0, limit)).map(PostgresRows.delivery)
            let messages = try await PostgresQueries.messages(ids: Array(Set(newest.map(\.messageID))), conn: conn, logger: self.logger)
            return GaveUpDeliveries(total: Int(total), newest: newest.compactMap { d in messages[d.messageID].map { ($0, d) } })
        }
    }
}
