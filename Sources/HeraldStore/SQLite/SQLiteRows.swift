import GRDB
import HeraldCore

/// Column lists and row decoding for the SQLite store, kept in one place so every query
/// selects what the decoders read.
enum SQLiteRows {
    static let messageColumns = StoreColumns.message
    static func messageColumns(prefix: String) -> String { StoreColumns.message(prefix: prefix) }
    static let deliveryColumns = StoreColumns.delivery

    /// "The delivery waits to be sent" (scheduled, queued or retrying), written the way the partial
    /// indexes `deliveries_due` and `deliveries_expiring` are (migration v16): SQLite uses a partial
    /// index only for a query whose WHERE holds the index's own expression, so queries that should
    /// use them say exactly this. Not `state IN (…)`: SQLite evaluates a list of three or more
    /// constants through a temporary B-tree built on every execution, and an index predicate is
    /// evaluated on every insert and update of a delivery (perf: 3-4 % of an enqueue).
    static let waiting = "(state = 'scheduled' OR state = 'queued' OR state = 'retrying')"
    static let attemptColumns = StoreColumns.attempt
    static let eventColumns = StoreColumns.event

    /// Decodes a row that selected ``messageColumns`` first, in that order. Columns are read by
    /// position: by name, every read hashed the column name (a share of the claim path in a profile).
    static func message(_ row: Row) -> Message {
        assert(Array(row.columnNames.prefix(messageNames.count)) == messageNames, "select messageColumns first")
        var message = Message(
            id: row[0], idempotencyKey: row[1], clientID: row[2], template: row[3], subject: row[4], text: row[5],
            html: row[6], data: row[7], locale: row[8],
            priority: MessageRequest.Priority(rawValue: row[9] ?? "") ?? .normal,
            category: MessageRequest.Category(rawValue: row[10] ?? "") ?? .transactional,
            sendAt: row[11], expiresAt: row[12], replyTo: row[13], tracking: row[14] ?? true, createdAt: row[18])
        if let text: String = row[15], case .array(let items)? = try? JSONValue.parse(Array(text.utf8)) {
            message.mentions = items.compactMap { if case .string(let s) = $0 { s } else { nil } }
        }
        message.resendCount = row[16] ?? 0
        message.lastResentAt = row[17]
        return message
    }

    /// Decodes a row that selected ``deliveryColumns`` first, in that order (by position, as above).
    static func delivery(_ row: Row) -> Delivery {
        assert(Array(row.columnNames.prefix(deliveryNames.count)) == deliveryNames, "select deliveryColumns first")
        var delivery = Delivery(
            id: row[0], messageID: row[1], channel: row[2], destination: row[3],
            state: DeliveryState(rawValue: row[4] ?? "") ?? .failed, attempts: row[5], dueAt: row[6], expiresAt: row[7],
            lastError: row[8], providerID: row[9], purpose: row[10], segments: row[11], createdAt: row[13],
            updatedAt: row[14])
        delivery.resendOf = row[12]
        return delivery
    }

    static let messageNames = names(StoreColumns.message)
    static let deliveryNames = names(StoreColumns.delivery)
    private static func names(_ list: String) -> [String] {
        list.split(separator: ",").map { String($0.filter { !$0.isWhitespace }) }
    }

    static func attempt(_ row: Row) -> Attempt {
        Attempt(
            id: row["id"], deliveryID: row["delivery_id"], number: row["number"], startedAt: row["started_at"],
            durationMillis: row["duration_ms"], statusCode: row["status_code"], outcome: row["outcome"],
            error: row["error"], providerID: row["provider_id"])
    }

    static func event(_ row: Row) -> Event {
        Event(
            id: row["id"], messageID: row["message_id"], deliveryID: row["delivery_id"], type: row["type"],
            state: (row["state"] as String?).flatMap(DeliveryState.init(rawValue:)), detail: row["detail"],
            actor: row["actor"], createdAt: row["created_at"])
    }

    /// The event insert, for callers that add many events in one transaction: look it up once and
    /// pass it to ``insertEvent(_:_:messageID:deliveryID:type:state:detail:actor:at:)``.
    static func insertEventStatement(_ db: Database) throws -> Statement {
        try db.cachedStatement(sql: """
            INSERT INTO events (id, message_id, delivery_id, type, state, detail, actor, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """)
    }

    /// Appends one event row.
    static func insertEvent(
        _ db: Database, messageID: String, deliveryID: String?, type: String, state: DeliveryState?,
        detail: String?, actor: String?, at: Int64
    ) throws {
        try insertEvent(
            insertEventStatement(db), db, messageID: messageID, deliveryID: deliveryID, type: type, state: state,
            detail: detail, actor: actor, at: at)
    }

    /// Appends one event row through `statement` (from ``insertEventStatement(_:)``): the hot path.
    static func insertEvent(
        _ statement: Statement, _ db: Database, messageID: String, deliveryID: String?, type: String,
        state: DeliveryState?, detail: String?, actor: String?, at: Int64
    ) throws {
        var event = BoundStatement(statement)
        event.bind(HeraldID.make(.event))
        event.bind(messageID)
        event.bind(deliveryID)
        event.bind(type)
        event.bind(state?.rawValue)
        event.bind(detail)
        event.bind(actor)
        event.bind(at)
        try event.execute(db)
    }
}
