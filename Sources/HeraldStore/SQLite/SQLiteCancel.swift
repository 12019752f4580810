import GRDB
import HeraldCore

/// Stopping what has not happened yet of a message — its deliveries not yet started, its
/// escalation not yet fired, its open call tasks — for a cancel request and for a deleted client.
enum SQLiteCancel {
    /// Cancels what is left of `messageID` in the caller's transaction. Throws `notFound`, or
    /// `conflict` when nothing is left. `reason` becomes the detail of the `cancelled` events.
    static func cancel(messageID: String, actor: String, reason: String? = nil, now: Int64, db: Database) throws -> CancelResult {
        guard let (_, deliveries) = try SQLiteQueries.messageWithDeliveries(id: messageID, db: db) else {
            throw HeraldError.notFound("no message with id \(messageID)")
        }
        let cancellable = deliveries.filter { DeliveryState.cancellable.contains($0.state) }
        let escalations = try Row.fetchAll(
            db, sql: "SELECT id, channel FROM escalations WHERE message_id = ? AND state = 'pending'", arguments: [messageID])
        // (Through the partial index of open tasks: a message's open calls are among a few.)
        let tasks = try Row.fetchAll(
            db, sql: "SELECT id, delivery_id FROM tasks WHERE status = 'open' AND message_id = ?", arguments: [messageID])
        guard !cancellable.isEmpty || !escalations.isEmpty || !tasks.isEmpty else { throw CancelResult.nothingLeft(deliveries) }
        let statement = try db.cachedStatement(sql: """
            UPDATE deliveries SET state = 'cancelled', updated_at = ?, lease_until = NULL, lease_owner = NULL
            WHERE id = ? AND \(SQLiteRows.waiting)
            """)
        var cancelled: [String] = []
        for d in cancellable {
            try statement.execute(arguments: [now, d.id])
            guard db.changesCount > 0 else { continue }
            cancelled.append(d.id)
            try SQLiteRows.insertEvent(
                db, messageID: messageID, deliveryID: d.id, type: "cancelled", state: .cancelled, detail: reason,
                actor: actor, at: now)
        }
        var stopped = 0
        for row in escalations {
            try db.execute(
                sql: "UPDATE escalations SET state = 'cancelled', settled_at = ? WHERE id = ? AND state = 'pending'",
                arguments: [now, row["id"] as String])
            guard db.changesCount > 0 else { continue }
            stopped += 1
            try SQLiteRows.insertEvent(
                db, messageID: messageID, deliveryID: nil, type: "escalation_cancelled", state: nil,
                detail: StoreText.escalationCancelled(channel: row["channel"]), actor: actor, at: now)
        }
        var closed: [String] = []
        for row in tasks {
            let id: String = row["id"]
            if try closeTask(
                id: id, messageID: messageID, deliveryID: row["delivery_id"], note: StoreText.taskCancelled(taskID: id), actor: actor,
                now: now, db: db)
            {
                closed.append(id)
            }
        }
        guard let detail = try SQLiteQueries.detail(id: messageID, db: db) else {
            throw HeraldError.notFound("no message with id \(messageID)")
        }
        return CancelResult(cancelled: cancelled, escalationsCancelled: stopped, tasksCancelled: closed, detail: detail)
    }

    /// Closes an open call task without a call (status `cancelled`, a `task_cancelled` event with
    /// `note`); false when it was no longer open.
    static func closeTask(
        id: String, messageID: String, deliveryID: String, note: String, actor: String, now: Int64, db: Database
    ) throws -> Bool {
        try db.cachedStatement(sql: """
            UPDATE tasks SET status = 'cancelled', note = ?, completed_at = ?, completed_by = ?
            WHERE id = ? AND status = 'open'
            """).execute(arguments: [note, now, actor, id])
        guard db.changesCount > 0 else { return false }
        try SQLiteRows.insertEvent(
            db, messageID: messageID, deliveryID: deliveryID, type: "task_cancelled", state: nil, detail: note, actor: actor, at: now)
        return true
    }

    /// The messages of `clientID` with something left to cancel, oldest first.
    static func pendingMessages(clientID: String, db: Database) throws -> [String] {
        try String.fetchAll(
            db,
            sql: """
                SELECT m.id FROM messages m WHERE m.client_id = ? AND (
                    EXISTS (SELECT 1 FROM deliveries d WHERE d.message_id = m.id AND \(SQLiteRows.waiting))
                    OR EXISTS (SELECT 1 FROM escalations e WHERE e.message_id = m.id AND e.state = 'pending')
                    OR EXISTS (SELECT 1 FROM tasks t WHERE t.status = 'open' AND t.message_id = m.id))
                ORDER BY m.id
                """,
            arguments: [clientID])
    }
}

// MARK: - Cancelling.

extension SQLiteStore {
    public func cancel(messageID: String, actor: String, now: Int64) async throws -> CancelResult {
        try await pool.write { db in try SQLiteCancel.cancel(messageID: messageID, actor: actor, now: now, db: db) }
    }

    public func deleteClient(id: String, actor: String, now: Int64) async throws -> ClientDeletion? {
        try await pool.write { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM clients WHERE id = ?", arguments: [id]) == true else { return nil }
            var deletion = ClientDeletion(clientID: id)
            for messageID in try SQLiteCancel.pendingMessages(clientID: id, db: db) {
                deletion.add(try SQLiteCancel.cancel(
                    messageID: messageID, actor: actor, reason: StoreText.clientDeleted(id), now: now, db: db))
            }
            try db.execute(sql: "DELETE FROM clients WHERE id = ?", arguments: [id])  // (its contacts go with it)
            return deletion
        }
    }
}
