import HeraldCore
import HeraldStore
import Logging
import PostgresNIO

// MARK: - Event subscriptions and the notice outbox.
//
// The relay reads the event log in (txid, id) order, and only events of transactions older than
// the oldest one still running (`pg_snapshot_xmin`): instances commit out of id order, so "after
// the last id read" would skip an event committed late with a smaller id. Everything below xmin
// has committed or rolled back for good, so nothing can appear behind the position. Parking at
// the end of the log keeps the snapshot of that moment: what it showed is history and is never
// relayed, what it did not (transactions still running then, or later) is. Fan-outs of several
// instances take turns on the position's row lock. (xmin is the whole server's: a long
// transaction anywhere on it delays notices, never loses them.)

extension PostgresStore {
    public func subscriptions() async throws -> [Subscription] {
        try await read { conn in
            try await conn.rows(
                "SELECT id, name, url, topics, secret, allow_private, created_at FROM subscriptions ORDER BY id", logger: self.logger
            ).map { row in
                Subscription(
                    id: try row["id"], name: try row["name"], url: try row["url"],
                    topics: Set((try row["topics"] as String).split(separator: ",").compactMap { EventTopic(rawValue: String($0)) }),
                    secret: try row["secret"], source: .api, allowPrivateNetworks: try row["allow_private"],
                    createdAt: try row["created_at"])
            }
        }
    }

    public func createSubscription(_ s: Subscription) async throws {
        let created = try await write { conn in
            guard try await conn.row(
                """
                INSERT INTO subscriptions (id, name, url, topics, secret, allow_private, created_at)
                VALUES (\(s.id), \(s.name), \(s.url), \(s.topics.map(\.rawValue).sorted().joined(separator: ",")), \(s.secret),
                    \(s.allowPrivateNetworks), \(s.createdAt))
                ON CONFLICT DO NOTHING RETURNING id
                """, logger: self.logger) != nil
            else { return false }
            // From this moment on, events are this subscription's: un-park an idle position here.
            let position = try await Self.lockPosition(conn, self.logger)
            if position.idle { try await Self.park(conn, self.logger, idle: false) }
            return true
        }
        guard created else { throw HeraldError.conflict("a subscription named '\(s.name)' already exists") }
    }

    public func updateSubscriptionSecret(id: String, secret: String) async throws {
        try await write { conn in
            try await conn.run("UPDATE subscriptions SET secret = \(secret) WHERE id = \(id)", logger: self.logger)
        }
    }

    public func deleteSubscription(id: String) async throws -> Bool {
        try await write { conn in
            guard try await conn.row("DELETE FROM subscriptions WHERE id = \(id) RETURNING id", logger: self.logger) != nil else {
                return false
            }
            try await conn.run("DELETE FROM notices WHERE subscription_id = \(id)", logger: self.logger)
            return true
        }
    }

    public func fanOut(to routes: [SubscriptionRoute], limit: Int, now: Int64) async throws -> Int {
        try await write { conn in
            var position = try await Self.lockPosition(conn, self.logger)
            if routes.isEmpty {
                if !position.idle { try await Self.park(conn, self.logger, idle: true) }
                return 0
            }
            if position.idle { position = try await Self.park(conn, self.logger, idle: false) }
            let rows = try await conn.rows(
                """
                SELECT e.id, e.message_id, e.delivery_id, e.type, e.state, e.detail, e.actor, e.created_at, e.txid::text AS txid,
                    d.channel, d.resend_of, m.template, m.client_id
                FROM events e
                LEFT JOIN deliveries d ON d.id = e.delivery_id
                LEFT JOIN messages m ON m.id = e.message_id
                WHERE (e.txid, e.id) > (\(position.txid)::xid8, \(position.eventID))
                  AND e.txid < pg_snapshot_xmin(pg_current_snapshot())
                  AND NOT pg_visible_in_snapshot(e.txid, (SELECT parked FROM relay_position WHERE name = 'events'))
                ORDER BY e.txid, e.id LIMIT \(limit)
                """, logger: self.logger)
            for row in rows {
                let event = try PostgresRows.event(row)
                position = (try row["txid"], event.id, false)
                guard let deliveryID = event.deliveryID, let topic = EventTopic(eventType: event.type) else { continue }
                let context = EventPayload.Context(
                    channel: try row["channel"], template: try row["template"], clientID: try row["client_id"],
                    resendOf: try row["resend_of"])
                for route in routes where route.topics.contains(topic) {
                    let number: Int = try await conn.row(
                        """
                        SELECT COALESCE(MAX(sequence), 0) + 1 AS next FROM notices
                        WHERE subscription_id = \(route.id) AND delivery_id = \(deliveryID)
                        """, logger: self.logger)?["next"] ?? 1
                    let payload = EventPayload.body(event: event, topic: topic, sequence: number, context: context)
                    try await conn.run(
                        """
                        INSERT INTO notices (id, subscription_id, event_id, topic, delivery_id, sequence, payload, due_at,
                            created_at, updated_at)
                        VALUES (\(HeraldID.make(.notice)), \(route.id), \(event.id), \(topic.rawValue), \(deliveryID), \(number),
                            \(payload), \(now), \(now), \(now))
                        ON CONFLICT (subscription_id, event_id) DO NOTHING
                        """, logger: self.logger)
                }
            }
            try await conn.run(
                """
                UPDATE relay_position SET txid = \(position.txid)::xid8, event_id = \(position.eventID) WHERE name = 'events'
                """, logger: self.logger)
            return rows.count
        }
    }

    public func claimNotices(
        subscriptionIDs: [String], limit: Int, now: Int64, leaseUntil: Int64
    ) async throws -> [EventNotice] {
        if subscriptionIDs.isEmpty || limit <= 0 { return [] }
        return try await write { conn in
            // The oldest pending notice of each subscription and delivery only: a delivery's events go out in order.
            let rows = try await conn.rows(
                PostgresQuery(
                    unsafeSQL: """
                        UPDATE notices n SET lease_until = $1
                        WHERE n.id IN (
                            SELECT c.id FROM notices c
                            WHERE c.state = 'pending' AND c.due_at <= $2 AND (c.lease_until IS NULL OR c.lease_until <= $2)
                                AND c.subscription_id = ANY($3)
                                AND NOT EXISTS (
                                    SELECT 1 FROM notices p WHERE p.subscription_id = c.subscription_id
                                        AND p.delivery_id = c.delivery_id AND p.state = 'pending' AND p.id < c.id)
                            ORDER BY c.due_at, c.id LIMIT $4 FOR UPDATE SKIP LOCKED)
                        RETURNING \(StoreColumns.notice)
                        """,
                    binds: PostgresQueries.binds(leaseUntil, now, subscriptionIDs, limit)),
                logger: self.logger)
            return try rows.map(Self.notice(from:)).sorted { ($0.dueAt, $0.id) < ($1.dueAt, $1.id) }
        }
    }

    public func finishNotices(_ results: [NoticeResult]) async throws {
        if results.isEmpty { return }
        try await write { conn in
            for result in results {
                switch result.outcome {
                case .delivered:
                    try await conn.run(
                        """
                        UPDATE notices SET state = 'delivered', attempts = attempts + 1, lease_until = NULL, last_error = NULL,
                            updated_at = \(result.at) WHERE id = \(result.noticeID) AND state = 'pending'
                        """, logger: self.logger)
                case .retry(let at):
                    try await conn.run(
                        """
                        UPDATE notices SET due_at = \(at), attempts = attempts + 1, lease_until = NULL, last_error = \(result.error),
                            updated_at = \(result.at) WHERE id = \(result.noticeID) AND state = 'pending'
                        """, logger: self.logger)
                case .dead:
                    try await conn.run(
                        """
                        UPDATE notices SET state = 'dead', attempts = attempts + 1, lease_until = NULL, last_error = \(result.error),
                            updated_at = \(result.at) WHERE id = \(result.noticeID) AND state = 'pending'
                        """, logger: self.logger)
                }
            }
        }
    }

    public func notices(subscriptionID: String, state: EventNotice.State, limit: Int) async throws -> [EventNotice] {
        let binds = PostgresQueries.binds(subscriptionID, state.rawValue, limit)
        let query = PostgresQuery(
            unsafeSQL: "SELECT \(StoreColumns.notice) FROM notices n WHERE subscription_id = $1 AND state = $2 ORDER BY id LIMIT $3",
            binds: binds)
        return try await read { conn in try await conn.rows(query, logger: self.logger).map(Self.notice(from:)) }
    }

    public func redriveNotices(subscriptionID: String, now: Int64) async throws -> Int {
        try await write { conn in
            try await conn.rows(
                """
                UPDATE notices SET state = 'pending', due_at = \(now), attempts = 0, lease_until = NULL, updated_at = \(now)
                WHERE subscription_id = \(subscriptionID) AND state = 'dead' RETURNING id
                """, logger: self.logger
            ).count
        }
    }

    public func noticeCounts() async throws -> [String: NoticeCounts] {
        try await read { conn in
            var counts: [String: NoticeCounts] = [:]
            for row in try await conn.rows(
                "SELECT subscription_id, state, COUNT(*) AS n FROM notices GROUP BY 1, 2", logger: self.logger)
            {
                let n: Int = try row["n"]
                let id: String = try row["subscription_id"]
                switch EventNotice.State(rawValue: try row["state"]) {
                case .pending?: counts[id, default: NoticeCounts()].pending = n
                case .delivered?: counts[id, default: NoticeCounts()].delivered = n
                case .dead?: counts[id, default: NoticeCounts()].dead = n
                case nil: break
                }
            }
            return counts
        }
    }

    static func notice(from row: PGRow) throws -> EventNotice {
        EventNotice(
            id: try row["id"], subscriptionID: try row["subscription_id"], eventID: try row["event_id"],
            topic: EventTopic(rawValue: try row["topic"]) ?? .deliverySent, deliveryID: try row["delivery_id"],
            sequence: try row["sequence"], payload: try row["payload"],
            state: EventNotice.State(rawValue: try row["state"]) ?? .pending, attempts: try row["attempts"],
            dueAt: try row["due_at"], lastError: try row["last_error"], createdAt: try row["created_at"],
            updatedAt: try row["updated_at"])
    }

    typealias RelayPosition = (txid: String, eventID: String, idle: Bool)

    /// The relay's position, locked for this transaction (created idle at the start of the log).
    static func lockPosition(_ conn: PostgresConnection, _ logger: Logger) async throws -> RelayPosition {
        try await conn.run(
            """
            INSERT INTO relay_position (name, txid, event_id, parked, idle)
            VALUES ('events', pg_snapshot_xmin(pg_current_snapshot()), '', pg_current_snapshot(), TRUE)
            ON CONFLICT (name) DO NOTHING
            """, logger: logger)
        guard let row = try await conn.row(
            "SELECT txid::text AS txid, event_id, idle FROM relay_position WHERE name = 'events' FOR UPDATE", logger: logger)
        else { throw HeraldError.internal("the relay position row is missing") }
        return (try row["txid"], try row["event_id"], try row["idle"])
    }

    /// Moves the position to the end of the log: everything from transactions still running or
    /// not yet begun is ahead of it. Returns it.
    @discardableResult
    static func park(_ conn: PostgresConnection, _ logger: Logger, idle: Bool) async throws -> RelayPosition {
        guard let row = try await conn.row(
            """
            UPDATE relay_position SET txid = pg_snapshot_xmin(pg_current_snapshot()), event_id = '',
                parked = pg_current_snapshot(), idle = \(idle)
            WHERE name = 'events' RETURNING txid::text AS txid
            """, logger: logger)
        else { throw HeraldError.internal("the relay position row is missing") }
        return (try row["txid"], "", idle)
    }
}
