import GRDB
import HeraldCore

// MARK: - Claims, results and timers: the dispatcher's side of the store.

extension SQLiteStore {
    public func claim(
        channel: String, limit: Int, now: Int64, leaseUntil: Int64, owner: String
    ) async throws -> [ClaimedDelivery] {
        do {
            return try await pool.write { db in
                // Leases that ran out belong to a worker that died: take them over first.
                let reclaim = try db.cachedStatement(sql: """
                    UPDATE deliveries SET lease_until = ?, lease_owner = ?, attempts = attempts + 1, updated_at = ?
                    WHERE id IN (SELECT id FROM deliveries WHERE channel = ? AND state = 'sending' AND lease_until <= ?
                                 AND (expires_at IS NULL OR expires_at > ?) ORDER BY lease_until LIMIT ?)
                    RETURNING \(SQLiteRows.deliveryColumns)
                    """)
                // Both claims take the same arguments: lease, owner, now, channel, now, now, limit.
                // Bound and read through SQLite's C API (BoundStatement): GRDB's argument arrays and
                // row values were a large share of the claim in profiles.
                func take(_ statement: Statement, limit: Int) throws -> [Delivery] {
                    assert(Array(statement.columnNames.prefix(SQLiteRows.deliveryNames.count)) == SQLiteRows.deliveryNames)
                    var claim = BoundStatement(statement)
                    claim.bind(leaseUntil)
                    claim.bind(owner)
                    claim.bind(now)
                    claim.bind(channel)
                    claim.bind(now)
                    claim.bind(now)
                    claim.bind(limit)
                    return try claim.rows(db) { SQLiteRows.delivery(columns: $0) }
                }
                var deliveries = try take(reclaim, limit: limit)
                for d in deliveries {
                    try SQLiteRows.insertEvent(
                        db, messageID: d.messageID, deliveryID: d.id, type: "reclaimed", state: .sending,
                        detail: StoreText.reclaimed, actor: "dispatcher", at: now)
                }
                if deliveries.count < limit {
                    let due = try db.cachedStatement(sql: """
                        UPDATE deliveries SET state = 'sending', lease_until = ?, lease_owner = ?,
                            attempts = attempts + 1, updated_at = ?
                        WHERE id IN (SELECT id FROM deliveries
                                     WHERE channel = ? AND \(SQLiteRows.waiting) AND due_at <= ?
                                       AND (expires_at IS NULL OR expires_at > ?)
                                     ORDER BY due_at LIMIT ?)
                        RETURNING \(SQLiteRows.deliveryColumns)
                        """)
                    deliveries += try take(due, limit: limit - deliveries.count)
                }
                let byID = try SQLiteQueries.messages(ids: Set(deliveries.map(\.messageID)), db: db)
                var claimed: [ClaimedDelivery] = []
                claimed.reserveCapacity(deliveries.count)
                for d in deliveries {
                    guard let message = byID[d.messageID] else { continue }
                    // Suppressed while it waited (an unsubscribe, a hard bounce, a wrong number since
                    // it was queued): it ends here instead of going out. URLs are never looked up.
                    if Suppressions.canBeSuppressed(d.destination),
                        let hit = try SQLiteSuppressions.hit(
                            address: d.destination, category: message.category, channel: d.channel, db: db)
                    {
                        let reason = hit.text
                        let detail = StoreText.suppressed(reason)
                        try db.cachedStatement(sql: """
                            UPDATE deliveries SET state = 'suppressed', attempts = attempts - 1, lease_until = NULL,
                                lease_owner = NULL, last_error = ?, updated_at = ?
                            WHERE id = ?
                            """).execute(arguments: [detail, now, d.id])
                        try SQLiteRows.insertEvent(
                            db, messageID: d.messageID, deliveryID: d.id, type: "suppressed", state: .suppressed, detail: reason,
                            actor: "dispatcher", at: now)  // (the event's detail is the reason, as at enqueue)
                        if hit.startsFallback { try SQLiteFallback.next(after: d.id, cause: .suppressed(reason), at: now, db: db) }
                        continue
                    }
                    claimed.append(ClaimedDelivery(delivery: d, message: message))
                }
                return claimed
            }
        } catch {
            throw SQLiteErrors.map(error)
        }
    }

    public func record(_ results: [DeliveryResult]) async throws {
        if results.isEmpty { return }
        do {
            try await pool.write { db in
                // A person's open or click that came while the send was being recorded (`engaged`)
                // moves the delivery on to it when the outcome takes it (first argument: see
                // DeliveryStateMachine.takesEarlyEngagement). `engaged` is read by key first instead
                // of through `RETURNING`, which opens and drops an ephemeral table per statement (~5 µs
                // against ~2 µs for the read in a replay: BENCHMARKS.md, session 20). This transaction is the only
                // writer, so the row cannot change between the two.
                let current = try db.cachedStatement(sql: "SELECT engaged FROM deliveries WHERE id = ? AND state = 'sending'")
                let update = try db.cachedStatement(sql: """
                    UPDATE deliveries SET state = CASE WHEN ? AND engaged IS NOT NULL THEN engaged ELSE ? END,
                        due_at = COALESCE(?, due_at), lease_until = NULL, lease_owner = NULL,
                        last_error = ?, provider_id = COALESCE(?, provider_id), segments = COALESCE(?, segments),
                        updated_at = ?
                    WHERE id = ? AND state = 'sending'
                    """)
                let attempt = try db.cachedStatement(sql: """
                    INSERT INTO attempts (id, delivery_id, number, started_at, duration_ms, status_code, outcome, error,
                        provider_id)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """)
                let event = try SQLiteRows.insertEventStatement(db)
                for result in results {
                    let report = result.report
                    let finishedAt = report.startedAt + report.durationMillis
                    var row = BoundStatement(attempt)
                    row.bind(HeraldID.make(.attempt))
                    row.bind(report.deliveryID)
                    row.bind(report.number)
                    row.bind(report.startedAt)
                    row.bind(report.durationMillis)
                    row.bind(report.statusCode)
                    row.bind(StoreText.outcome(report.outcome))
                    row.bind(result.error)
                    row.bind(result.providerID)
                    try row.execute(db)
                    guard DeliveryStateMachine.canTransition(from: .sending, to: result.newState) else { continue }
                    // No row: the delivery is no longer ours (cancelled, or reclaimed after our lease ran
                    // out). The attempt is on record; the state belongs to whoever holds it now.
                    var read = BoundStatement(current)
                    read.bind(report.deliveryID)
                    guard let engaged = try read.firstRow(db, { $0.text(0) }) else { continue }
                    let takesEngagement = DeliveryStateMachine.takesEarlyEngagement(result.newState)
                    var change = BoundStatement(update)
                    change.bind(takesEngagement)
                    change.bind(result.newState.rawValue)
                    change.bind(result.nextDueAt)
                    change.bind(result.error)
                    change.bind(result.providerID)
                    change.bind(report.segments)
                    change.bind(finishedAt)
                    change.bind(report.deliveryID)
                    try change.execute(db)
                    var eventType = result.newState.rawValue
                    if case .bounced(let reason) = report.outcome {
                        eventType = "bounced"
                        try SQLiteSuppressions.addForBounce(deliveryID: report.deliveryID, reason: reason, at: finishedAt, db: db)
                    } else if let optOut = Suppressions.optOut(report.outcome, channel: report.channel) {
                        try SQLiteSuppressions.addForDelivery(
                            deliveryID: report.deliveryID, category: optOut.category, reason: optOut.reason, at: finishedAt, db: db)
                    }
                    try SQLiteRows.insertEvent(
                        event, db, messageID: report.messageID, deliveryID: report.deliveryID, type: eventType,
                        state: result.newState, detail: result.error, actor: "dispatcher", at: finishedAt)
                    if takesEngagement, let early = engaged.flatMap(DeliveryState.init(rawValue:)) {
                        try SQLiteRows.insertEvent(
                            event, db, messageID: report.messageID, deliveryID: report.deliveryID, type: early.rawValue,
                            state: early, detail: StoreText.engagedBeforeRecorded(early), actor: "dispatcher", at: finishedAt)
                    }
                    if result.newState == .failed || result.newState == .dead {
                        try SQLiteFallback.next(after: report.deliveryID, reason: result.error, at: finishedAt, db: db)
                    }
                }
            }
        } catch {
            throw SQLiteErrors.map(error)
        }
    }

    public func postpone(_ items: [Postponement], now: Int64) async throws {
        if items.isEmpty { return }
        do {
            try await pool.write { db in
                let wait = try db.cachedStatement(sql: """
                    UPDATE deliveries SET state = 'queued', due_at = ?, lease_until = NULL, lease_owner = NULL,
                        attempts = MAX(attempts - 1, 0), last_error = ?, updated_at = ?
                    WHERE id = ? AND state = 'sending'
                    """)
                let dead = try db.cachedStatement(sql: """
                    UPDATE deliveries SET state = 'dead', lease_until = NULL, lease_owner = NULL,
                        attempts = MAX(attempts - 1, 0), last_error = ?, updated_at = ?
                    WHERE id = ? AND state = 'sending'
                    """)
                for item in items {
                    if item.givesUp {
                        try dead.execute(arguments: [item.reason, now, item.deliveryID])
                    } else {
                        try wait.execute(arguments: [item.until, item.reason, now, item.deliveryID])
                    }
                    guard db.changesCount > 0 else { continue }
                    try SQLiteRows.insertEvent(
                        db, messageID: item.messageID, deliveryID: item.deliveryID, type: item.givesUp ? "dead" : "postponed",
                        state: item.givesUp ? .dead : .queued,
                        detail: StoreText.postponed(item),
                        actor: "dispatcher", at: now)
                    if item.givesUp {
                        try SQLiteFallback.next(after: item.deliveryID, reason: item.reason, at: now, db: db)
                    }
                }
            }
        } catch {
            throw SQLiteErrors.map(error)
        }
    }

    public func recentSends(channel: String, since: Int64) async throws -> [RecentSend] {
        do {
            return try await pool.read { db in
                // Attempt ids sort by creation time: the primary key finds the recent ones.
                let rows = try Row.fetchAll(db, sql: """
                    SELECT d.destination, a.started_at + a.duration_ms AS finished_at
                    FROM attempts a JOIN deliveries d ON d.id = a.delivery_id
                    WHERE a.id >= ? AND d.channel = ?
                    """, arguments: [HeraldID.lowerBound(.attempt, atMillis: since), channel])
                return rows.map { RecentSend(destination: $0["destination"], finishedAt: $0["finished_at"]) }
            }
        } catch {
            throw SQLiteErrors.map(error)
        }
    }

    public func release(deliveryIDs: [String], now: Int64) async throws {
        if deliveryIDs.isEmpty { return }
        try await pool.write { db in
            let statement = try db.cachedStatement(sql: """
                UPDATE deliveries SET state = 'queued', lease_until = NULL, lease_owner = NULL,
                    attempts = MAX(attempts - 1, 0), updated_at = ?
                WHERE id = ? AND state = 'sending' RETURNING message_id
                """)
            for id in deliveryIDs {
                guard let messageID = try String.fetchOne(statement, arguments: [now, id]) else { continue }
                try SQLiteRows.insertEvent(
                    db, messageID: messageID, deliveryID: id, type: "released", state: .queued,
                    detail: StoreText.released, actor: "dispatcher", at: now)
            }
        }
    }

    public func renewLeases(deliveryIDs: [String], owner: String, until: Int64) async throws -> Int {
        if deliveryIDs.isEmpty { return 0 }
        do {
            return try await pool.write { db in
                let statement = try db.cachedStatement(sql: """
                    UPDATE deliveries SET lease_until = ? WHERE id = ? AND state = 'sending' AND lease_owner = ?
                    """)
                var held = 0
                for id in deliveryIDs {
                    try statement.execute(arguments: [until, id, owner])
                    held += db.changesCount
                }
                return held
            }
        } catch {
            throw SQLiteErrors.map(error)
        }
    }

    public func expireDue(now: Int64, limit: Int) async throws -> Int {
        try await pool.write { db in
            let statement = try db.cachedStatement(sql: """
                UPDATE deliveries SET state = 'expired', lease_until = NULL, lease_owner = NULL, updated_at = ?,
                    last_error = ?
                WHERE id IN (SELECT id FROM deliveries WHERE expires_at <= ?
                               AND (\(SQLiteRows.waiting)
                                    OR (state = 'sending' AND lease_until <= ?))
                             LIMIT ?)
                RETURNING id, message_id
                """)
            let rows = try Row.fetchAll(statement, arguments: [now, StoreText.expiredError, now, now, limit])
            for row in rows {
                try SQLiteRows.insertEvent(
                    db, messageID: row["message_id"], deliveryID: row["id"], type: "expired", state: .expired,
                    detail: StoreText.expired, actor: "dispatcher", at: now)
            }
            return rows.count
        }
    }

    public func nextDueTime(channels: [String]) async throws -> Int64? {
        try await pool.read { db in
            var earliest: Int64? = nil
            let due = try db.cachedStatement(sql: """
                SELECT MIN(due_at) FROM deliveries WHERE channel = ? AND \(SQLiteRows.waiting)
                """)
            let leased = try db.cachedStatement(sql: """
                SELECT MIN(lease_until) FROM deliveries WHERE channel = ? AND state = 'sending'
                """)
            let expiring = try db.cachedStatement(sql: """
                SELECT MIN(expires_at) FROM deliveries WHERE expires_at IS NOT NULL
                  AND \(SQLiteRows.waiting)
                """)
            let escalation = try db.cachedStatement(sql: "SELECT MIN(due_at) FROM escalations WHERE state = 'pending'")
            var candidates: [Int64?] = [try Int64.fetchOne(expiring), try Int64.fetchOne(escalation)]
            for channel in channels {
                candidates.append(try Int64.fetchOne(due, arguments: [channel]))
                candidates.append(try Int64.fetchOne(leased, arguments: [channel]))
            }
            for case let t? in candidates { earliest = min(earliest ?? t, t) }
            return earliest
        }
    }
}

// MARK: - Rate limits: one daemon serves a SQLite file (its lock sees to that), so each channel's
// own in-memory limiter is exact and nothing is kept here.

extension SQLiteStore {
    public var sharesRateLimits: Bool { false }

    /// `delivery_counts`, kept in the transactions that move deliveries (SQLiteDeliveryCounts).
    public var keepsDeliveryCounts: Bool { true }

    /// One process serves the file: its own enqueues wake its dispatcher directly.
    public func watchForWork(_ wake: @escaping @Sendable () -> Void) async throws {}

    public func reserveSlot(key: String, limit: Int, now: Int64, holdUntil: Int64) async throws -> SlotReservation {
        .granted("")
    }

    public func finishSlot(id: String, holdUntil: Int64) async throws {}
}
