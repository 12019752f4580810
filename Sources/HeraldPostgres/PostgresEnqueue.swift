import HeraldCore
import HeraldStore
import Logging
import PostgresNIO

/// Inserts planned messages inside a transaction, honouring idempotency keys across instances.
/// A group commit's messages go in with a few multi-row statements (messages, deliveries,
/// events), not a round trip per row.
enum PostgresEnqueue {
    static func insert(_ planned: PlannedMessage, conn: PostgresConnection, logger: Logger) async throws -> EnqueueResult {
        guard let result = try await insert([planned], conn: conn, logger: logger).first else {
            throw HeraldError.internal("message \(planned.message.id) was neither stored nor a duplicate")
        }
        return result
    }

    static func insert(_ all: [PlannedMessage], conn: PostgresConnection, logger: Logger) async throws -> [EnqueueResult] {
        guard !all.isEmpty else { return [] }
        // ON CONFLICT DO NOTHING: a key another instance is inserting right now waits for that
        // transaction, then reads as taken; this group's transaction is never aborted by it.
        var created = Set<String>()
        for chunk in chunks(all, size: 1_000) {
            var s = PGStatement("""
                INSERT INTO messages (id, idempotency_key, fingerprint, client_id, template, subject, text, html, data,
                    locale, priority, category, send_at, expires_at, reply_to, tracking, mentions, created_at, actor, tier) VALUES
                """)
            let rows = chunk.map { p in
                let m = p.message
                let mentions = Mentions.stored(m.mentions)
                return "(\(s.bind(m.id)), \(s.bind(m.idempotencyKey))::text, \(s.bind(p.fingerprint)), \(s.bind(m.clientID))::text, "
                    + "\(s.bind(m.template))::text, \(s.bind(m.subject))::text, \(s.bind(m.text))::text, \(s.bind(m.html))::text, "
                    + "\(s.bind(m.data)), \(s.bind(m.locale))::text, \(s.bind(m.priority.rawValue)), \(s.bind(m.category.rawValue)), "
                    + "\(s.bind(m.sendAt))::bigint, \(s.bind(m.expiresAt))::bigint, \(s.bind(m.replyTo))::text, \(s.bind(m.tracking)), "
                    + "\(s.bind(mentions))::text, \(s.bind(m.createdAt)), \(s.bind(m.actor))::text, \(s.bind(m.tier))::text)"
            }
            s.append(rows.joined(separator: ", "))
            s.append(" ON CONFLICT (idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING RETURNING id")
            for row in try await conn.rows(s.query, logger: logger) { created.insert(try row["id"]) }
        }
        let fresh = all.filter { created.contains($0.message.id) }
        let suppressed = try await suppressions(of: fresh, conn: conn, logger: logger)
        var results: [String: EnqueueResult] = [:]
        var deliveries: [Delivery] = []
        var events: [PostgresRows.NewEvent] = []
        for planned in fresh {
            let m = planned.message
            if let e = planned.escalation {
                try await conn.run(
                    """
                    INSERT INTO escalations (id, message_id, due_at, unless_state, channel, destination, created_at)
                    VALUES (\(HeraldID.make(.task)), \(m.id), \(e.dueAt), \(e.unless.rawValue), \(e.channel), \(e.destination),
                        \(m.createdAt))
                    """, logger: logger)
            }
            for reason in planned.skipped {
                events.append(.init(messageID: m.id, deliveryID: nil, type: "skipped", state: nil, detail: reason,
                                    actor: planned.actor, at: m.createdAt))
            }
            var made = planned.deliveries
            var fallbacks: [Delivery] = []
            for index in made.indices {
                var d = made[index]
                var detail: String? = d.state == .suppressed ? d.lastError : nil
                var listed: SuppressionHit?
                if d.state != .suppressed, let hit = suppressed.hit(address: d.destination, category: m.category, channel: d.channel) {
                    d.state = .suppressed
                    d.lastError = StoreText.suppressed(hit.text)
                    detail = hit.text
                    made[index] = d
                    listed = hit
                }
                guard EnqueueEvents.stored(d.state) else { continue }  // derived when read
                events.append(.init(messageID: m.id, deliveryID: d.id, type: d.state.rawValue, state: d.state, detail: detail,
                                    actor: planned.actor, at: m.createdAt))
                // The fallback goes on for a hard bounce, a wrong number, a STOP (see SQLiteEnqueue).
                if let listed, listed.startsFallback, let start = FallbackStart(
                    messageID: m.id, channel: d.channel, chain: d.fallback, expiresAt: d.expiresAt,
                    cause: .suppressed(listed.text), from: d.dueAt, at: m.createdAt)
                {
                    fallbacks.append(start.delivery)
                    events.append(.init(messageID: m.id, deliveryID: start.delivery.id, type: "fallback", state: start.delivery.state,
                                        detail: start.detail, actor: planned.actor, at: m.createdAt))
                }
            }
            made += fallbacks
            deliveries += made
            results[m.id] = .created(m, made)
        }
        for chunk in chunks(deliveries, size: 2_000) {
            var s = PGStatement("""
                INSERT INTO deliveries (id, message_id, channel, destination, state, attempts, due_at, expires_at,
                    last_error, purpose, fallback, created_at, updated_at) VALUES
                """)
            let rows = chunk.map { d in
                "(\(s.bind(d.id)), \(s.bind(d.messageID)), \(s.bind(d.channel)), \(s.bind(d.destination)), \(s.bind(d.state.rawValue)), "
                    + "0, \(s.bind(d.dueAt)), \(s.bind(d.expiresAt))::bigint, \(s.bind(d.lastError))::text, \(s.bind(d.purpose))::text, "
                    + "\(s.bind(FallbackStep.encode(d.fallback)))::text, \(s.bind(d.createdAt)), \(s.bind(d.updatedAt)))"
            }
            s.append(rows.joined(separator: ", "))
            try await conn.run(s.query, logger: logger)
        }
        for chunk in chunks(events, size: 2_000) { try await PostgresRows.insertEvents(conn, logger, Array(chunk)) }
        // Not stored: the key was taken, by an earlier request or by another message of this batch.
        for planned in all where !created.contains(planned.message.id) {
            results[planned.message.id] = try await replay(planned, conn: conn, logger: logger)
        }
        return try all.map { p in
            guard let result = results[p.message.id] else { throw HeraldError.internal("message \(p.message.id) has no result") }
            return result
        }
    }

    /// The answer for a message whose idempotency key was taken: the first result, or a conflict.
    private static func replay(_ planned: PlannedMessage, conn: PostgresConnection, logger: Logger) async throws -> EnqueueResult {
        guard let key = planned.message.idempotencyKey,
            let row = try await conn.row("SELECT id, fingerprint FROM messages WHERE idempotency_key = \(key)", logger: logger)
        else { throw HeraldError.internal("message \(planned.message.id) was neither stored nor a duplicate") }
        let existingID: String = try row["id"]
        guard (try row["fingerprint"] as String) == planned.fingerprint,
            let (message, deliveries) = try await PostgresQueries.messageWithDeliveries(id: existingID, conn: conn, logger: logger)
        else { return .conflict(existingMessageID: existingID) }
        return .duplicate(message, deliveries)
    }

    /// The suppression entries of every address these messages go to, read with one query.
    private static func suppressions(
        of messages: [PlannedMessage], conn: PostgresConnection, logger: Logger
    ) async throws -> PostgresSuppressions.Found {
        let addresses = Set(messages.flatMap { $0.deliveries.map(\.destination) }.filter(Suppressions.canBeSuppressed).map { $0.lowercased() })
        return try await PostgresSuppressions.find(Array(addresses), conn: conn, logger: logger)
    }

    private static func chunks<T>(_ items: [T], size: Int) -> [ArraySlice<T>] {
        stride(from: 0, to: items.count, by: size).map { items[$0..<min($0 + size, items.count)] }
    }
}
