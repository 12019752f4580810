import GRDB
import HeraldCore

/// Inserts planned messages inside one transaction (a group commit), honouring idempotency keys.
/// The three hot statements are looked up once per transaction (GRDB's statement cache hashes the
/// whole SQL text on every lookup) and bound through ``BoundStatement``. Made only through
/// ``within(_:_:)``, which adds the inserted deliveries to `delivery_counts` at the end.
final class SQLiteEnqueue {
    private let db: Database
    private let insertMessage: Statement
    private let insertDelivery: Statement
    private let insertEvent: Statement
    private var counts = SQLiteDeliveryCounts()

    /// Runs `body` with an enqueue for this transaction, then counts what it inserted.
    static func within<T>(_ db: Database, _ body: (SQLiteEnqueue) throws -> T) throws -> T {
        let enqueue = try SQLiteEnqueue(db: db)
        let result = try body(enqueue)
        try enqueue.counts.apply(db)
        return result
    }

    private init(db: Database) throws {
        self.db = db
        insertMessage = try db.cachedStatement(sql: """
            INSERT INTO messages (id, idempotency_key, fingerprint, client_id, template, subject, text, html, data,
                locale, priority, category, send_at, expires_at, reply_to, tracking, mentions, created_at, actor, tier)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        insertDelivery = try db.cachedStatement(sql: """
            INSERT INTO deliveries (id, message_id, channel, destination, state, attempts, due_at, expires_at,
                last_error, fallback, created_at, updated_at)
            VALUES (?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?)
            """)
        insertEvent = try SQLiteRows.insertEventStatement(db)
    }

    /// Inserts one message with its deliveries and the first events that are not derived (skipped
    /// routes, deliveries suppressed on the way in — see ``EnqueueEvents``), or answers for the message its
    /// idempotency key already made.
    func insert(_ planned: PlannedMessage) throws -> EnqueueResult {
        let m = planned.message
        if let key = m.idempotencyKey {
            let lookup = try db.cachedStatement(sql: "SELECT id, fingerprint FROM messages WHERE idempotency_key = ?")
            if let row = try Row.fetchOne(lookup, arguments: [key]) {
                let existingID: String = row["id"]
                guard (row["fingerprint"] as String) == planned.fingerprint else {
                    return .conflict(existingMessageID: existingID)
                }
                guard let detail = try SQLiteQueries.messageWithDeliveries(id: existingID, db: db) else {
                    return .conflict(existingMessageID: existingID)
                }
                return .duplicate(detail.0, detail.1)
            }
        }
        var message = BoundStatement(insertMessage)
        message.bind(m.id)
        message.bind(m.idempotencyKey)
        message.bind(planned.fingerprint)
        message.bind(m.clientID)
        message.bind(m.template)
        message.bind(m.subject)
        message.bind(m.text)
        message.bind(m.html)
        message.bind(m.data)
        message.bind(m.locale)
        message.bind(m.priority.rawValue)
        message.bind(m.category.rawValue)
        message.bind(m.sendAt)
        message.bind(m.expiresAt)
        message.bind(m.replyTo)
        message.bind(m.tracking)
        message.bind(Mentions.stored(m.mentions))
        message.bind(m.createdAt)
        message.bind(m.actor)
        message.bind(m.tier)
        try message.execute(db)
        if let e = planned.escalation {
            try db.cachedStatement(sql: """
                INSERT INTO escalations (id, message_id, due_at, unless_state, channel, destination, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """).execute(arguments: [HeraldID.make(.task), m.id, e.dueAt, e.unless.rawValue, e.channel, e.destination, m.createdAt])
        }
        for reason in planned.skipped {
            try SQLiteRows.insertEvent(
                insertEvent, db, messageID: m.id, deliveryID: nil, type: "skipped", state: nil, detail: reason,
                actor: planned.actor, at: m.createdAt)
        }
        var deliveries = planned.deliveries
        var fallbacks: [Delivery] = []
        for index in deliveries.indices {
            var d = deliveries[index]
            var detail: String? = d.state == .suppressed ? d.lastError : nil
            var listed: SuppressionHit?
            if d.state != .suppressed,
                let hit = try SQLiteSuppressions.hit(address: d.destination, category: m.category, channel: d.channel, db: db)
            {
                d.state = .suppressed
                d.lastError = StoreText.suppressed(hit.text)
                detail = hit.text
                deliveries[index] = d
                listed = hit
            }
            var delivery = BoundStatement(insertDelivery)
            delivery.bind(d.id)
            delivery.bind(d.messageID)
            delivery.bind(d.channel)
            delivery.bind(d.destination)
            delivery.bind(d.state.rawValue)
            delivery.bind(d.dueAt)
            delivery.bind(d.expiresAt)
            delivery.bind(d.lastError)
            delivery.bind(FallbackStep.encode(d.fallback))
            delivery.bind(d.createdAt)
            delivery.bind(d.updatedAt)
            try delivery.execute(db)
            counts.inserted(d.state)
            // `queued`/`scheduled` are derived from the message's actor when read (EnqueueEvents).
            guard EnqueueEvents.stored(d.state) else { continue }
            try SQLiteRows.insertEvent(
                insertEvent, db, messageID: m.id, deliveryID: d.id, type: d.state.rawValue, state: d.state,
                detail: detail, actor: planned.actor, at: m.createdAt)
            // A hard-bounced address, a wrong number, a STOP to this channel: the fallback goes on
            // from when this delivery was due, as it would have after the provider's refusal.
            if let listed, listed.startsFallback, !d.fallback.isEmpty,
                let next = try SQLiteFallback.next(
                    after: d.id, cause: .suppressed(listed.text), from: d.dueAt, at: m.createdAt, actor: planned.actor, db: db)
            {
                fallbacks.append(next)
            }
        }
        return .created(m, deliveries + fallbacks)
    }
}
