import GRDB
import HeraldCore

/// Column lists and row decoding for the SQLite store, kept in one place so every query
/// selects what the decoders read.
enum SQLiteRows {
    /// `?, ?, ?`: the placeholders of an `IN (…)` list of `count` values.
    static func placeholders(_ count: Int) -> String { Array(repeating: "?", count: count).joined(separator: ", ") }

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
    /// Deliveries that gave up (``RedriveRequest/redrivable``): the predicate of the partial index
    /// `deliveries_gave_up`, which a redrive's scan uses only when its query says exactly this.
    static let gaveUp = "(state = 'dead' OR state = 'failed')"
    static let attemptColumns = StoreColumns.attempt
    static let eventColumns = StoreColumns.event

    /// Decodes a row that selected ``messageColumns`` first, in that order. Columns are read by
    /// position: by name, every read hashed the column name (a share of the claim path in a profile).
    static func message(_ row: Row) -> Message {
        assert(Array(row.columnNames.prefix(messageNames.count)) == messageNames, "select messageColumns first")
        return message(columns: row)
    }

    /// ``message(_:)`` from any row reader (the claim reads through the C API).
    static func message(columns r: some SQLiteColumns) -> Message {
        var message = Message(
            id: r.text(0) ?? "", idempotencyKey: r.text(1), clientID: r.text(2), template: r.text(3), subject: r.text(4),
            text: r.text(5), html: r.text(6), data: r.text(7) ?? "{}", locale: r.text(8),
            priority: MessageRequest.Priority(rawValue: r.text(9) ?? "") ?? .normal,
            category: MessageRequest.Category(rawValue: r.text(10) ?? "") ?? .transactional,
            sendAt: r.integer(11), expiresAt: r.integer(12), replyTo: r.text(13),
            tracking: r.integer(14).map { $0 != 0 } ?? true, createdAt: r.integer(18) ?? 0)
        message.mentions = Mentions.fromStored(r.text(15))
        message.resendCount = Int(r.integer(16) ?? 0)
        message.lastResentAt = r.integer(17)
        message.actor = r.text(19)
        message.tier = r.text(20)
        return message
    }

    /// Decodes a row that selected ``deliveryColumns`` first, in that order (by position, as above).
    static func delivery(_ row: Row) -> Delivery {
        assert(Array(row.columnNames.prefix(deliveryNames.count)) == deliveryNames, "select deliveryColumns first")
        return delivery(columns: row)
    }

    /// ``delivery(_:)`` from any row reader.
    static func delivery(columns r: some SQLiteColumns) -> Delivery {
        var delivery = Delivery(
            id: r.text(0) ?? "", messageID: r.text(1) ?? "", channel: r.text(2) ?? "", destination: r.text(3) ?? "",
            state: DeliveryState(rawValue: r.text(4) ?? "") ?? .failed, attempts: Int(r.integer(5) ?? 0),
            dueAt: r.integer(6) ?? 0, expiresAt: r.integer(7), lastError: r.text(8), providerID: r.text(9),
            purpose: r.text(10), segments: r.integer(11).map { Int($0) }, createdAt: r.integer(13) ?? 0,
            updatedAt: r.integer(14) ?? 0)
        delivery.resendOf = r.text(12)
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

/// Column values of a row by position, whoever read it: GRDB's `Row` or a ``StatementRow`` (a row
/// read through SQLite's C API, BoundStatement.swift). The decoders above take either.
protocol SQLiteColumns {
    func text(_ index: Int) -> String?
    func integer(_ index: Int) -> Int64?
}

extension Row: SQLiteColumns {
    func text(_ index: Int) -> String? { self[index] }
    func integer(_ index: Int) -> Int64? { self[index] }
}
