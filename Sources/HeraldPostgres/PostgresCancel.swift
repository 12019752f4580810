import HeraldCore
import HeraldStore
import Logging
import PostgresNIO

/// Stopping what has not happened yet of a message (see `SQLiteCancel`), for a cancel request and
/// for a deleted client.
enum PostgresCancel {
    /// Cancels what is left of `messageID` in the caller's transaction. Throws `notFound`, or
    /// `conflict` when nothing is left. `reason` becomes the detail of the `cancelled` events.
    static func cancel(
        messageID: String, actor: String, reason: String? = nil, now: Int64, conn: PostgresConnection, logger: Logger
    ) async throws -> CancelResult {
        // Ordered against a call task being opened for it now (`openTasks` takes the same lock):
        // either the task is open below and is cancelled, or it sees this cancel and is not opened.
        try await conn.run("SELECT 1 FROM messages WHERE id = \(messageID) FOR NO KEY UPDATE", logger: logger)
        guard let (_, deliveries) = try await PostgresQueries.messageWithDeliveries(id: messageID, conn: conn, logger: logger)
        else { throw HeraldError.notFound("no message with id \(messageID)") }
        let cancellable = deliveries.filter { DeliveryState.cancellable.contains($0.state) }
        // Taken under the row lock the fire path takes too, so a timer firing at this moment
        // either fires first (and is no longer pending) or is cancelled here.
        let escalations = try await conn.rows(
            "SELECT id, channel FROM escalations WHERE message_id = \(messageID) AND state = 'pending' FOR UPDATE",
            logger: logger
        ).map { (try $0["id"] as String, try $0["channel"] as String) }
        let tasks = try await conn.rows(
            "SELECT id, delivery_id FROM tasks WHERE status = 'open' AND message_id = \(messageID) FOR UPDATE",
            logger: logger
        ).map { (try $0["id"] as String, try $0["delivery_id"] as String) }
        guard !cancellable.isEmpty || !escalations.isEmpty || !tasks.isEmpty else { throw CancelResult.nothingLeft(deliveries) }
        var cancelled: [String] = []
        for d in cancellable {
            guard try await conn.row(
                """
                UPDATE deliveries SET state = 'cancelled', updated_at = \(now), lease_until = NULL, lease_owner = NULL
                WHERE id = \(d.id) AND state IN ('scheduled', 'queued', 'retrying') RETURNING id
                """, logger: logger) != nil
            else { continue }
            cancelled.append(d.id)
            try await PostgresRows.insertEvent(
                conn, logger, messageID: messageID, deliveryID: d.id, type: "cancelled", state: .cancelled,
                detail: reason, actor: actor, at: now)
        }
        var stopped = 0
        for (id, channel) in escalations {
            guard try await conn.row(
                "UPDATE escalations SET state = 'cancelled', settled_at = \(now) WHERE id = \(id) AND state = 'pending' RETURNING id",
                logger: logger) != nil
            else { continue }
            stopped += 1
            try await PostgresRows.insertEvent(
                conn, logger, messageID: messageID, deliveryID: nil, type: "escalation_cancelled", state: nil,
                detail: StoreText.escalationCancelled(channel: channel), actor: actor, at: now)
        }
        var closed: [String] = []
        for (id, deliveryID) in tasks {
            if try await closeTask(
                id: id, messageID: messageID, deliveryID: deliveryID, note: StoreText.taskCancelled(taskID: id), actor: actor,
                now: now, conn: conn, logger: logger)
            {
                closed.append(id)
            }
        }
        guard let detail = try await PostgresQueries.detail(id: messageID, conn: conn, logger: logger) else {
            throw HeraldError.notFound("no message with id \(messageID)")
        }
        return CancelResult(cancelled: cancelled, escalationsCancelled: stopped, tasksCancelled: closed, detail: detail)
    }

    /// See `SQLiteCancel.closeTask`.
    static func closeTask(
        id: String, messageID: String, deliveryID: String, note: String, actor: String, now: Int64, conn: PostgresConnection,
        logger: Logger
    ) async throws -> Bool {
        guard try await conn.row(
            """
            UPDATE tasks SET status = 'cancelled', note = \(note), completed_at = \(now), completed_by = \(actor)
            WHERE id = \(id) AND status = 'open' RETURNING id
            """, logger: logger) != nil
        else { return false }
        try await PostgresRows.insertEvent(
            conn, logger, messageID: messageID, deliveryID: deliveryID, type: "task_cancelled", state: nil, detail: note, actor: actor,
            at: now)
        return true
    }

    /// The messages of `clientID` with something left to cancel, oldest first.
    static func pendingMessages(clientID: String, conn: PostgresConnection, logger: Logger) async throws -> [String] {
        try await conn.rows(
            """
            SELECT m.id FROM messages m WHERE m.client_id = \(clientID) AND (
                EXISTS (SELECT 1 FROM deliveries d WHERE d.message_id = m.id AND d.state IN ('scheduled', 'queued', 'retrying'))
                OR EXISTS (SELECT 1 FROM escalations e WHERE e.message_id = m.id AND e.state = 'pending')
                OR EXISTS (SELECT 1 FROM tasks t WHERE t.status = 'open' AND t.message_id = m.id))
            ORDER BY m.id
            """, logger: logger
        ).map { try $0["id"] as String }
    }
}

// MARK: - Cancelling.

extension PostgresStore {
    public func cancel(messageID: String, actor: String, now: Int64) async throws -> CancelResult {
        try await write { conn in
            try await PostgresCancel.cancel(messageID: messageID, actor: actor, now: now, conn: conn, logger: self.logger)
        }
    }

    public func deleteClient(id: String, actor: String, now: Int64) async throws -> ClientDeletion? {
        try await write { conn in
            // The row lock keeps a concurrent upsert of the same client from slipping in between.
            guard try await conn.row("SELECT id FROM clients WHERE id = \(id) FOR UPDATE", logger: self.logger) != nil else {
                return nil
            }
            var deletion = ClientDeletion(clientID: id)
            for messageID in try await PostgresCancel.pendingMessages(clientID: id, conn: conn, logger: self.logger) {
                do {
                    deletion.add(try await PostgresCancel.cancel(
                        messageID: messageID, actor: actor, reason: StoreText.clientDeleted(id), now: now, conn: conn,
                        logger: self.logger))
                } catch let error as HeraldError where error.kind == .conflict {
                    continue  // another instance claimed what was left in between: it is under way
                }
            }
            try await conn.run("DELETE FROM clients WHERE id = \(id)", logger: self.logger)  // (its contacts go with it)
            return deletion
        }
    }
}
