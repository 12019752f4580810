import HeraldCore
import HeraldStore
import PostgresNIO

// MARK: - Recording finished attempts: the drain's hot path.
//
// A batch of results costs three statements whatever its size (attempts, state changes, events),
// not three per delivery: each statement is a round trip and a parse on the server.

extension PostgresStore {
    public func record(_ results: [DeliveryResult]) async throws {
        if results.isEmpty { return }
        try await write { conn in
            for start in stride(from: 0, to: results.count, by: 500) {
                try await self.record(results[start..<min(start + 500, results.count)], conn: conn)
            }
        }
    }

    private func record(_ results: ArraySlice<DeliveryResult>, conn: PostgresConnection) async throws {
        var attempts = PGStatement(
            "INSERT INTO attempts (id, delivery_id, number, started_at, duration_ms, status_code, outcome, error, provider_id) VALUES ")
        let attemptRows = results.map { result in
            let r = result.report
            return "(\(attempts.bind(HeraldID.make(.attempt))), \(attempts.bind(r.deliveryID)), \(attempts.bind(r.number)), "
                + "\(attempts.bind(r.startedAt)), \(attempts.bind(r.durationMillis)), \(attempts.bind(r.statusCode))::bigint, "
                + "\(attempts.bind(StoreText.outcome(r.outcome))), \(attempts.bind(result.error))::text, "
                + "\(attempts.bind(result.providerID))::text)"
        }
        attempts.append(attemptRows.joined(separator: ", "))
        try await conn.run(attempts.query, logger: logger)

        let moving = results.filter { DeliveryStateMachine.canTransition(from: .sending, to: $0.newState) }
        guard !moving.isEmpty else { return }
        var update = PGStatement("""
            UPDATE deliveries d SET state = CASE WHEN u.takes_engagement AND d.engaged IS NOT NULL THEN d.engaged
                    ELSE u.state END,
                due_at = COALESCE(u.due_at, d.due_at), lease_until = NULL,
                lease_owner = NULL, last_error = u.error, provider_id = COALESCE(u.provider_id, d.provider_id),
                segments = COALESCE(u.segments, d.segments), updated_at = u.finished_at
            FROM (VALUES
            """)
        let updateRows = moving.map { result in
            let r = result.report
            return "(\(update.bind(r.deliveryID))::text, \(update.bind(result.newState.rawValue))::text, "
                + "\(update.bind(result.nextDueAt))::bigint, \(update.bind(result.error))::text, "
                + "\(update.bind(result.providerID))::text, \(update.bind(r.segments))::bigint, "
                + "\(update.bind(r.startedAt + r.durationMillis))::bigint, "
                + "\(update.bind(DeliveryStateMachine.takesEarlyEngagement(result.newState)))::boolean)"
        }
        update.append(updateRows.joined(separator: ", "))
        // No row back for a delivery that is no longer ours (cancelled, or reclaimed after our
        // lease ran out): its attempt is on record, its state belongs to whoever holds it now.
        update.append("""
            ) AS u(id, state, due_at, error, provider_id, segments, finished_at, takes_engagement)
            WHERE d.id = u.id AND d.state = 'sending'
            RETURNING d.id, d.engaged
            """)
        // `engaged`: a person's open or click that came while the send was being recorded.
        var moved: [String: String?] = [:]
        for row in try await conn.rows(update.query, logger: logger) {
            moved[try row["id"] as String] = try row["engaged"] as String?
        }
        var events: [PostgresRows.NewEvent] = []
        var consequences: [DeliveryResult] = []
        for result in moving {
            let r = result.report
            guard let engaged = moved[r.deliveryID] else { continue }
            var type = result.newState.rawValue
            if case .bounced = r.outcome { type = "bounced" }
            events.append(.init(
                messageID: r.messageID, deliveryID: r.deliveryID, type: type, state: result.newState, detail: result.error,
                actor: "dispatcher", at: r.startedAt + r.durationMillis))
            if DeliveryStateMachine.takesEarlyEngagement(result.newState), let early = engaged.flatMap(DeliveryState.init(rawValue:)) {
                events.append(.init(
                    messageID: r.messageID, deliveryID: r.deliveryID, type: early.rawValue, state: early,
                    detail: StoreText.engagedBeforeRecorded(early), actor: "dispatcher", at: r.startedAt + r.durationMillis))
            }
            if type == "bounced" || result.newState == .failed || result.newState == .dead { consequences.append(result) }
        }
        try await PostgresRows.insertEvents(conn, logger, events)
        // Rare: bounces and opt-outs suppress the address, failures start the fallback chain (one by one).
        for result in consequences {
            let r = result.report
            let finishedAt = r.startedAt + r.durationMillis
            if case .bounced(let reason) = r.outcome {
                try await PostgresSuppressions.addForBounce(
                    deliveryID: r.deliveryID, reason: reason, at: finishedAt, conn: conn, logger: logger)
            } else if let optOut = Suppressions.optOut(r.outcome, channel: r.channel) {
                try await PostgresSuppressions.addForDelivery(
                    deliveryID: r.deliveryID, category: optOut.category, reason: optOut.reason, at: finishedAt, conn: conn,
                    logger: logger)
            }
            if result.newState == .failed || result.newState == .dead {
                try await PostgresFallback.next(after: r.deliveryID, reason: result.error, at: finishedAt, conn: conn, logger: logger)
            }
        }
    }
}
