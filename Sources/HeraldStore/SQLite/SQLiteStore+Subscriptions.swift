import GRDB
import HeraldCore

// MARK: - Event subscriptions and the notice outbox.

extension SQLiteStore {
    public func subscriptions() async throws -> [Subscription] {
        try await pool.read { db in
            try Row.fetchAll(
                db, sql: "SELECT id, name, url, topics, secret, allow_private, created_at FROM subscriptions ORDER BY id"
            ).map { row in
                Subscription(
                    id: row["id"], name: row["name"], url: row["url"],
                    topics: Set((row["topics"] as String).split(separator: ",").compactMap { EventTopic(rawValue: String($0)) }),
                    secret: row["secret"], source: .api, allowPrivateNetworks: row["allow_private"], createdAt: row["created_at"])
            }
        }
    }

    public func createSubscription(_ s: Subscription) async throws {
        do {
            try await pool.write { db in
                try db.execute(
                    sql: """
                        INSERT INTO subscriptions (id, name, url, topics, secret, allow_private, created_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        s.id, s.name, s.url, s.topics.map(\.rawValue).sorted().joined(separator: ","), s.secret,
                        s.allowPrivateNetworks, s.createdAt,
                    ])
                // From this moment on, events are this subscription's: un-park an idle position here.
                let position = try Self.relayPosition(db)
                if position == nil || position?.idle == true { try Self.park(db, idle: false) }
            }
        } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT {
            throw HeraldError.conflict("a subscription named '\(s.name)' already exists")
        }
    }

    public func updateSubscriptionSecret(id: String, secret: String) async throws {
        try await pool.write { db in
            try db.execute(sql: "UPDATE subscriptions SET secret = ? WHERE id = ?", arguments: [secret, id])
        }
    }

    public func deleteSubscription(id: String) async throws -> Bool {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM subscriptions WHERE id = ?", arguments: [id])
            guard db.changesCount > 0 else { return false }
            try db.execute(sql: "DELETE FROM notices WHERE subscription_id = ?", arguments: [id])
            return true
        }
    }

    public func fanOut(to routes: [SubscriptionRoute], limit: Int, now: Int64) async throws -> Int {
        try await pool.write { db in
            let position = try Self.relayPosition(db)
            if routes.isEmpty {
                if position?.idle != true { try Self.park(db, idle: true) }
                return 0
            }
            var after: String
            if let position, !position.idle {
                after = position.eventID
            } else {
                after = try Self.park(db, idle: false)
            }
            let rows = try Row.fetchAll(
                db.cachedStatement(sql: """
                    SELECT e.id, e.message_id, e.delivery_id, e.type, e.state, e.detail, e.actor, e.created_at,
                        d.channel, d.resend_of, m.template, m.client_id
                    FROM events e
                    LEFT JOIN deliveries d ON d.id = e.delivery_id
                    LEFT JOIN messages m ON m.id = e.message_id
                    WHERE e.id > ? ORDER BY e.id LIMIT ?
                    """),
                arguments: [after, limit])
            let sequence = try db.cachedStatement(sql: """
                SELECT COALESCE(MAX(sequence), 0) + 1 FROM notices WHERE subscription_id = ? AND delivery_id = ?
                """)
            let insert = try db.cachedStatement(sql: """
                INSERT INTO notices (id, subscription_id, event_id, topic, delivery_id, sequence, payload, due_at,
                    created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (subscription_id, event_id) DO NOTHING
                """)
            for row in rows {
                let event = SQLiteRows.event(row)
                after = event.id
                guard let deliveryID = event.deliveryID, let topic = EventTopic(eventType: event.type) else { continue }
                let context = EventPayload.Context(
                    channel: row["channel"], template: row["template"], clientID: row["client_id"], resendOf: row["resend_of"])
                for route in routes where route.topics.contains(topic) {
                    let number = try Int.fetchOne(sequence, arguments: [route.id, deliveryID]) ?? 1
                    let payload = EventPayload.body(event: event, topic: topic, sequence: number, context: context)
                    try insert.execute(arguments: [
                        HeraldID.make(.notice), route.id, event.id, topic.rawValue, deliveryID, number, payload, now, now, now,
                    ])
                }
            }
            try db.execute(
                sql: "UPDATE relay_position SET event_id = ? WHERE name = 'events'", arguments: [after])
            return rows.count
        }
    }

    public func claimNotices(
        subscriptionIDs: [String], limit: Int, now: Int64, leaseUntil: Int64
    ) async throws -> [EventNotice] {
        if subscriptionIDs.isEmpty || limit <= 0 { return [] }
        return try await pool.write { db in
            let marks = SQLiteRows.placeholders(subscriptionIDs.count)
            var arguments = StatementArguments([now, now])
            arguments += StatementArguments(subscriptionIDs)
            arguments += [limit]
            // The oldest pending notice of each subscription and delivery only: a delivery's events go out in order.
            let notices = try Row.fetchAll(
                db,
                sql: """
                    SELECT \(Self.noticeColumns) FROM notices n
                    WHERE n.state = 'pending' AND n.due_at <= ? AND (n.lease_until IS NULL OR n.lease_until <= ?)
                        AND n.subscription_id IN (\(marks))
                        AND NOT EXISTS (
                            SELECT 1 FROM notices p WHERE p.subscription_id = n.subscription_id
                                AND p.delivery_id = n.delivery_id AND p.state = 'pending' AND p.id < n.id)
                    ORDER BY n.due_at, n.id LIMIT ?
                    """,
                arguments: arguments
            ).map(Self.notice(from:))
            let lease = try db.cachedStatement(sql: "UPDATE notices SET lease_until = ? WHERE id = ?")
            for notice in notices { try lease.execute(arguments: [leaseUntil, notice.id]) }
            return notices
        }
    }

    public func finishNotices(_ results: [NoticeResult]) async throws {
        if results.isEmpty { return }
        try await pool.write { db in
            let delivered = try db.cachedStatement(sql: """
                UPDATE notices SET state = 'delivered', attempts = attempts + 1, lease_until = NULL, last_error = NULL,
                    updated_at = ? WHERE id = ? AND state = 'pending'
                """)
            let retry = try db.cachedStatement(sql: """
                UPDATE notices SET due_at = ?, attempts = attempts + 1, lease_until = NULL, last_error = ?, updated_at = ?
                WHERE id = ? AND state = 'pending'
                """)
            let dead = try db.cachedStatement(sql: """
                UPDATE notices SET state = 'dead', attempts = attempts + 1, lease_until = NULL, last_error = ?,
                    updated_at = ? WHERE id = ? AND state = 'pending'
                """)
            for result in results {
                switch result.outcome {
                case .delivered: try delivered.execute(arguments: [result.at, result.noticeID])
                case .retry(let at): try retry.execute(arguments: [at, result.error, result.at, result.noticeID])
                case .dead: try dead.execute(arguments: [result.error, result.at, result.noticeID])
                }
            }
        }
    }

    public func notices(subscriptionID: String, state: EventNotice.State, limit: Int) async throws -> [EventNotice] {
        try await pool.read { db in
            try Row.fetchAll(
                db, sql: "SELECT \(Self.noticeColumns) FROM notices n WHERE subscription_id = ? AND state = ? ORDER BY id LIMIT ?",
                arguments: [subscriptionID, state.rawValue, limit]
            ).map(Self.notice(from:))
        }
    }

    public func redriveNotices(subscriptionID: String, now: Int64) async throws -> Int {
        try await pool.write { db in
            try db.execute(
                sql: """
                    UPDATE notices SET state = 'pending', due_at = ?, attempts = 0, lease_until = NULL, updated_at = ?
                    WHERE subscription_id = ? AND state = 'dead'
                    """,
                arguments: [now, now, subscriptionID])
            return db.changesCount
        }
    }

    public func noticeCounts() async throws -> [String: NoticeCounts] {
        try await pool.read { db in
            var counts: [String: NoticeCounts] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT subscription_id, state, COUNT(*) AS n FROM notices GROUP BY 1, 2") {
                let n: Int = row["n"]
                switch EventNotice.State(rawValue: row["state"]) {
                case .pending?: counts[row["subscription_id"], default: NoticeCounts()].pending = n
                case .delivered?: counts[row["subscription_id"], default: NoticeCounts()].delivered = n
                case .dead?: counts[row["subscription_id"], default: NoticeCounts()].dead = n
                case nil: break
                }
            }
            return counts
        }
    }

    static let noticeColumns = StoreColumns.notice

    static func notice(from row: Row) -> EventNotice {
        EventNotice(
            id: row["id"], subscriptionID: row["subscription_id"], eventID: row["event_id"],
            topic: EventTopic(rawValue: row["topic"]) ?? .deliverySent, deliveryID: row["delivery_id"],
            sequence: row["sequence"], payload: row["payload"], state: EventNotice.State(rawValue: row["state"]) ?? .pending,
            attempts: row["attempts"], dueAt: row["due_at"], lastError: row["last_error"], createdAt: row["created_at"],
            updatedAt: row["updated_at"])
    }

    static func relayPosition(_ db: Database) throws -> (eventID: String, idle: Bool)? {
        try Row.fetchOne(db, sql: "SELECT event_id, idle FROM relay_position WHERE name = 'events'").map {
            (eventID: $0["event_id"], idle: $0["idle"])
        }
    }

    /// Moves the position to the end of the event log; returns it.
    @discardableResult
    static func park(_ db: Database, idle: Bool) throws -> String {
        let end = try String.fetchOne(db, sql: "SELECT MAX(id) FROM events") ?? ""
        try db.execute(
            sql: """
                INSERT INTO relay_position (name, event_id, idle) VALUES ('events', ?, ?)
                ON CONFLICT (name) DO UPDATE SET event_id = excluded.event_id, idle = excluded.idle
                """,
            arguments: [end, idle])
        return end
    }
}
