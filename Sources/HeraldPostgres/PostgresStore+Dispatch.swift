import HeraldCore
import HeraldStore
import PostgresNIO

// MARK: - Claims, results and timers: the dispatcher's side of the store.

extension PostgresStore {
    public func claim(
        channel: String, limit: Int, now: Int64, leaseUntil: Int64, owner: String
    ) async throws -> [ClaimedDelivery] {
        try await write { conn in
            // SKIP LOCKED: rows another instance is claiming right now are left to it, never waited
            // for nor taken twice. Leases that ran out belong to a worker that died: first.
            let reclaimed = try await conn.rows(
                PostgresQuery(
                    unsafeSQL: """
                        UPDATE deliveries d SET lease_until = $1, lease_owner = $2, attempts = d.attempts + 1, updated_at = $3
                        FROM (SELECT id FROM deliveries WHERE channel = $4 AND state = 'sending' AND lease_until <= $3
                                AND (expires_at IS NULL OR expires_at > $3)
                              ORDER BY lease_until LIMIT $5 FOR UPDATE SKIP LOCKED) picked
                        WHERE d.id = picked.id
                        RETURNING \(Self.prefixedDeliveryColumns)
                        """,
                    binds: PostgresQueries.binds(leaseUntil, owner, now, channel, limit)),
                logger: self.logger)
            var deliveries = try reclaimed.map(PostgresRows.delivery)
            for d in deliveries {
                try await PostgresRows.insertEvent(
                    conn, self.logger, messageID: d.messageID, deliveryID: d.id, type: "reclaimed", state: .sending,
                    detail: StoreText.reclaimed, actor: "dispatcher", at: now)
            }
            if deliveries.count < limit {
                let due = try await conn.rows(
                    PostgresQuery(
                        unsafeSQL: """
                            UPDATE deliveries d SET state = 'sending', lease_until = $1, lease_owner = $2,
                                attempts = d.attempts + 1, updated_at = $3
                            FROM (SELECT id FROM deliveries
                                  WHERE channel = $4 AND state IN ('scheduled', 'queued', 'retrying') AND due_at <= $3
                                    AND (expires_at IS NULL OR expires_at > $3)
                                  ORDER BY due_at LIMIT $5 FOR UPDATE SKIP LOCKED) picked
                            WHERE d.id = picked.id
                            RETURNING \(Self.prefixedDeliveryColumns)
                            """,
                        binds: PostgresQueries.binds(leaseUntil, owner, now, channel, limit - deliveries.count)),
                    logger: self.logger)
                deliveries += try due.map(PostgresRows.delivery)
            }
            let byID = try await PostgresQueries.messages(ids: Array(Set(deliveries.map(\.messageID))), conn: conn, logger: self.logger)
            // Suppressed while it waited (an unsubscribe, a hard bounce, a wrong number since it was
            // queued): it ends here instead of going out. One lookup for the batch; URLs never.
            let addresses = Set(deliveries.map(\.destination).filter(Suppressions.canBeSuppressed).map { $0.lowercased() })
            let found = try await PostgresSuppressions.find(Array(addresses), conn: conn, logger: self.logger)
            var claimed: [ClaimedDelivery] = []
            for d in deliveries {
                guard let message = byID[d.messageID] else { continue }
                if let hit = found.hit(address: d.destination, category: message.category, channel: d.channel) {
                    let reason = hit.text
                    let detail = StoreText.suppressed(reason)
                    try await conn.run(
                        """
                        UPDATE deliveries SET state = 'suppressed', attempts = attempts - 1, lease_until = NULL,
                            lease_owner = NULL, last_error = \(detail), updated_at = \(now)
                        WHERE id = \(d.id)
                        """, logger: self.logger)
                    try await PostgresRows.insertEvent(
                        conn, self.logger, messageID: d.messageID, deliveryID: d.id, type: "suppressed", state: .suppressed,
                        detail: reason, actor: "dispatcher", at: now)  // (the event's detail is the reason, as at enqueue)
                    if hit.startsFallback {
                        try await PostgresFallback.next(after: d.id, cause: .suppressed(reason), at: now, conn: conn, logger: self.logger)
                    }
                    continue
                }
                claimed.append(ClaimedDelivery(delivery: d, message: message))
            }
            return claimed
        }
    }

    static let prefixedDeliveryColumns = StoreColumns.delivery(prefix: "d.")

    public func postpone(_ items: [Postponement], now: Int64) async throws {
        if items.isEmpty { return }
        try await write { conn in
            for item in items {
                let moved: PGRow?
                if item.givesUp {
                    moved = try await conn.row(
                        """
                        UPDATE deliveries SET state = 'dead', lease_until = NULL, lease_owner = NULL,
                            attempts = GREATEST(attempts - 1, 0), last_error = \(item.reason), updated_at = \(now)
                        WHERE id = \(item.deliveryID) AND state = 'sending' RETURNING id
                        """, logger: self.logger)
                } else {
                    moved = try await conn.row(
                        """
                        UPDATE deliveries SET state = 'queued', due_at = \(item.until), lease_until = NULL, lease_owner = NULL,
                            attempts = GREATEST(attempts - 1, 0), last_error = \(item.reason), updated_at = \(now)
                        WHERE id = \(item.deliveryID) AND state = 'sending' RETURNING id
                        """, logger: self.logger)
                }
                guard moved != nil else { continue }
                try await PostgresRows.insertEvent(
                    conn, self.logger, messageID: item.messageID, deliveryID: item.deliveryID,
                    type: item.givesUp ? "dead" : "postponed", state: item.givesUp ? .dead : .queued,
                    detail: StoreText.postponed(item), actor: "dispatcher", at: now)
                if item.givesUp {
                    try await PostgresFallback.next(after: item.deliveryID, reason: item.reason, at: now, conn: conn, logger: self.logger)
                }
            }
        }
    }

    public func recentSends(channel: String, since: Int64) async throws -> [RecentSend] {
        try await read { conn in
            // Attempt ids sort by creation time: the primary key finds the recent ones.
            try await conn.rows(
                """
                SELECT d.destination, a.started_at + a.duration_ms AS finished_at
                FROM attempts a JOIN deliveries d ON d.id = a.delivery_id
                WHERE a.id >= \(HeraldID.lowerBound(.attempt, atMillis: since)) AND d.channel = \(channel)
                """, logger: self.logger
            ).map { RecentSend(destination: try $0["destination"], finishedAt: try $0["finished_at"]) }
        }
    }

    public func release(deliveryIDs: [String], now: Int64) async throws {
        if deliveryIDs.isEmpty { return }
        try await write { conn in
            let rows = try await conn.rows(
                """
                UPDATE deliveries SET state = 'queued', lease_until = NULL, lease_owner = NULL,
                    attempts = GREATEST(attempts - 1, 0), updated_at = \(now)
                WHERE id = ANY(\(deliveryIDs)) AND state = 'sending' RETURNING id, message_id
                """, logger: self.logger)
            for row in rows {
                try await PostgresRows.insertEvent(
                    conn, self.logger, messageID: try row["message_id"], deliveryID: try row["id"], type: "released",
                    state: .queued, detail: StoreText.released, actor: "dispatcher", at: now)
            }
        }
    }

    public func renewLeases(deliveryIDs: [String], owner: String, until: Int64) async throws -> Int {
        if deliveryIDs.isEmpty { return 0 }
        return try await write { conn in
            try await conn.rows(
                """
                UPDATE deliveries SET lease_until = \(until)
                WHERE id = ANY(\(deliveryIDs)) AND state = 'sending' AND lease_owner = \(owner) RETURNING id
                """, logger: self.logger
            ).count
        }
    }

    public func expireDue(now: Int64, limit: Int) async throws -> Int {
        try await write { conn in
            let rows = try await conn.rows(
                """
                UPDATE deliveries d SET state = 'expired', lease_until = NULL, lease_owner = NULL, updated_at = \(now),
                    last_error = \(StoreText.expiredError)
                FROM (SELECT id FROM deliveries WHERE expires_at <= \(now)
                        AND (state IN ('scheduled', 'queued', 'retrying') OR (state = 'sending' AND lease_until <= \(now)))
                      LIMIT \(limit) FOR UPDATE SKIP LOCKED) picked
                WHERE d.id = picked.id
                RETURNING d.id, d.message_id
                """, logger: self.logger)
            for row in rows {
                try await PostgresRows.insertEvent(
                    conn, self.logger, messageID: try row["message_id"], deliveryID: try row["id"], type: "expired",
                    state: .expired, detail: StoreText.expired, actor: "dispatcher", at: now)
            }
            return rows.count
        }
    }

    public func nextDueTime(channels: [String]) async throws -> Int64? {
        try await read { conn in
            let row = try await conn.row(
                """
                SELECT LEAST(
                    (SELECT MIN(due_at) FROM deliveries
                     WHERE channel = ANY(\(channels)) AND state IN ('scheduled', 'queued', 'retrying')),
                    (SELECT MIN(lease_until) FROM deliveries WHERE channel = ANY(\(channels)) AND state = 'sending'),
                    (SELECT MIN(expires_at) FROM deliveries
                     WHERE expires_at IS NOT NULL AND state IN ('scheduled', 'queued', 'retrying')),
                    (SELECT MIN(due_at) FROM escalations WHERE state = 'pending')) AS earliest
                """, logger: self.logger)
            return try row?["earliest"]
        }
    }
}
