import HeraldCore
import HeraldStore
import Logging
import PostgresNIO

// MARK: - Phone tasks.

extension PostgresStore {
    @discardableResult
    public func openTasks(_ openings: [TaskOpening], now: Int64) async throws -> Set<String> {
        guard !openings.isEmpty else { return [] }
        return try await write { conn in
            var opened: Set<String> = []
            // In message order: each message's row is locked as a cancel locks it (see PostgresCancel).
            for opening in openings.sorted(by: { $0.task.messageID < $1.task.messageID }) {
                let task = opening.task
                // Cancelled while it was being opened: the cancel could not stop a delivery in flight.
                // The message's lock orders this against a cancel running now: one sees the other.
                try await conn.run("SELECT 1 FROM messages WHERE id = \(task.messageID) FOR NO KEY UPDATE", logger: self.logger)
                if try await conn.row(
                    """
                    SELECT 1 FROM events WHERE message_id = \(task.messageID) AND type = 'cancelled'
                        AND created_at >= (SELECT updated_at FROM deliveries WHERE id = \(task.deliveryID)) LIMIT 1
                    """, logger: self.logger) != nil
                {
                    if try await conn.row(
                        """
                        UPDATE deliveries SET state = 'cancelled', lease_until = NULL, lease_owner = NULL, updated_at = \(now)
                        WHERE id = \(task.deliveryID) AND state = 'sending' RETURNING id
                        """, logger: self.logger) != nil
                    {
                        try await PostgresRows.insertEvent(
                            conn, self.logger, messageID: task.messageID, deliveryID: task.deliveryID, type: "cancelled",
                            state: .cancelled, detail: StoreText.callCancelledInFlight, actor: "dispatcher", at: now)
                    }
                    continue
                }
                // Only the lease holder's claim moves on; a task that exists already was made by an
                // earlier claim whose lease ran out before the delivery was marked.
                guard try await Self.insertTask(task, conn: conn, logger: self.logger) else { continue }
                opened.insert(task.id)
                try await conn.run(
                    """
                    UPDATE deliveries SET state = 'sent', provider_id = \(task.id), lease_until = NULL,
                        lease_owner = NULL, last_error = NULL, updated_at = \(now)
                    WHERE id = \(task.deliveryID) AND state = 'sending'
                    """, logger: self.logger)
                try await PostgresRows.insertEvent(
                    conn, self.logger, messageID: task.messageID, deliveryID: task.deliveryID, type: "task_created",
                    state: .sent, detail: StoreText.taskCreated(task), actor: "dispatcher", at: now)
                for notice in opening.notices { _ = try await PostgresEnqueue.insert(notice, conn: conn, logger: self.logger) }
            }
            return opened
        }
    }

    public func closeTasksOfExpiredMessages(now: Int64, limit: Int) async throws -> [String] {
        try await write { conn in
            let rows = try await conn.rows(
                """
                SELECT t.id, t.message_id, t.delivery_id FROM tasks t JOIN messages m ON m.id = t.message_id
                WHERE t.status = 'open' AND m.expires_at <= \(now) ORDER BY t.id LIMIT \(limit) FOR UPDATE OF t SKIP LOCKED
                """, logger: self.logger)
            var closed: [String] = []
            for row in rows {
                let id: String = try row["id"]
                if try await PostgresCancel.closeTask(
                    id: id, messageID: try row["message_id"], deliveryID: try row["delivery_id"],
                    note: StoreText.taskExpired(taskID: id), actor: "dispatcher", now: now, conn: conn, logger: self.logger)
                {
                    closed.append(id)
                }
            }
            return closed
        }
    }

    public func tasks(matching query: TaskQuery) async throws -> [PhoneTask] {
        var s = PGStatement("SELECT \(StoreColumns.task) FROM tasks")
        var conditions: [String] = []
        if let assignee = query.assignee {
            conditions.append(assignee == "unassigned" ? "assignee IS NULL" : "assignee = \(s.bind(assignee.lowercased()))")
        }
        if let status = query.status { conditions.append("status = \(s.bind(status.rawValue))") }
        if let client = query.clientID { conditions.append("client_id = \(s.bind(client))") }
        if !query.messageIDs.isEmpty { conditions.append("message_id = ANY(\(s.bind(query.messageIDs)))") }
        if let before = query.dueBefore { conditions.append("status = 'open' AND due_at <= \(s.bind(before))") }
        if query.notEscalated { conditions.append("escalated_at IS NULL") }
        if let cursor = query.cursor { conditions.append(query.newestFirst ? "id < \(s.bind(cursor))" : "id > \(s.bind(cursor))") }
        if !conditions.isEmpty { s.append(" WHERE " + conditions.joined(separator: " AND ")) }
        s.append(" ORDER BY id \(query.newestFirst ? "DESC" : "ASC") LIMIT \(s.bind(query.limit))")
        let statement = s
        return try await read { conn in try await conn.rows(statement.query, logger: self.logger).map(Self.task) }
    }

    public func task(id: String) async throws -> PhoneTask? {
        try await read { conn in
            try await conn.row(
                PostgresQuery(unsafeSQL: "SELECT \(StoreColumns.task) FROM tasks WHERE id = $1", binds: PostgresQueries.binds(id)),
                logger: self.logger
            ).map(Self.task)
        }
    }

    public func completeTask(_ c: TaskCompletion) async throws -> PhoneTask {
        try await write { conn in
            guard let row = try await conn.row(
                PostgresQuery(
                    unsafeSQL: "SELECT \(StoreColumns.task) FROM tasks WHERE id = $1 FOR UPDATE", binds: PostgresQueries.binds(c.taskID)),
                logger: self.logger)
            else { throw HeraldError.notFound("no task with id \(c.taskID)") }
            var task = try Self.task(row)
            guard task.status == .open else { throw HeraldError.conflict(StoreText.taskClosed(task)) }
            try await conn.run(
                """
                UPDATE tasks SET status = 'done', outcome = \(c.outcome.rawValue), note = \(c.note), completed_at = \(c.at),
                    completed_by = \(c.actor) WHERE id = \(task.id)
                """, logger: self.logger)
            task.status = .done
            task.outcome = c.outcome
            task.note = c.note
            task.completedAt = c.at
            task.completedBy = c.actor
            try await PostgresRows.insertEvent(
                conn, self.logger, messageID: task.messageID, deliveryID: task.deliveryID, type: "task_completed", state: nil,
                detail: StoreText.taskCompleted(task, outcome: c.outcome, note: c.note), actor: c.actor, at: c.at)
            if let state = c.deliveryState,
                let current = try await conn.row(
                    "SELECT state FROM deliveries WHERE id = \(task.deliveryID) FOR UPDATE", logger: self.logger
                ).map({ try $0["state"] as String }).flatMap(DeliveryState.init(rawValue:)),
                DeliveryStateMachine.canTransition(from: current, to: state)
            {
                try await conn.run(
                    """
                    UPDATE deliveries SET state = \(state.rawValue), last_error = \(state == .failed ? c.detail : nil),
                        updated_at = \(c.at) WHERE id = \(task.deliveryID)
                    """, logger: self.logger)
                try await PostgresRows.insertEvent(
                    conn, self.logger, messageID: task.messageID, deliveryID: task.deliveryID, type: state.rawValue,
                    state: state, detail: c.detail, actor: c.actor, at: c.at)
                if state == .failed {
                    try await PostgresFallback.next(after: task.deliveryID, reason: c.detail, at: c.at, conn: conn, logger: self.logger)
                }
            }
            if c.flagNumber {
                try await PostgresSuppressions.addWrongNumber(
                    task.phone, reason: "wrong number (task \(task.id))", deliveryID: task.deliveryID, at: c.at, conn: conn,
                    logger: self.logger)
            }
            if let next = c.followUp, try await Self.insertTask(next, conn: conn, logger: self.logger) {
                try await PostgresRows.insertEvent(
                    conn, self.logger, messageID: next.messageID, deliveryID: next.deliveryID, type: "task_created",
                    state: nil, detail: StoreText.taskCreated(next), actor: c.actor, at: c.at)
                for notice in c.notices { _ = try await PostgresEnqueue.insert(notice, conn: conn, logger: self.logger) }
            }
            return task
        }
    }

    public func escalateTask(id: String, notices: [PlannedMessage], now: Int64) async throws -> Bool {
        try await write { conn in
            guard let row = try await conn.row(
                """
                UPDATE tasks SET escalated_at = \(now) WHERE id = \(id) AND status = 'open' AND escalated_at IS NULL
                RETURNING message_id, delivery_id, assignee
                """, logger: self.logger)
            else { return false }
            let told = notices.flatMap { $0.deliveries.map(\.destination) }
            try await PostgresRows.insertEvent(
                conn, self.logger, messageID: try row["message_id"], deliveryID: try row["delivery_id"], type: "task_overdue",
                state: nil, detail: StoreText.taskOverdue(taskID: id, assignee: try row["assignee"], told: told),
                actor: "dispatcher", at: now)
            for notice in notices { _ = try await PostgresEnqueue.insert(notice, conn: conn, logger: self.logger) }
            return true
        }
    }

    /// Inserts a task unless its delivery already has a task for that call; returns whether it did.
    static func insertTask(_ t: PhoneTask, conn: PostgresConnection, logger: Logger) async throws -> Bool {
        try await conn.row(
            """
            INSERT INTO tasks (id, delivery_id, message_id, channel, client_id, client_name, assignee, assignee_name,
                contact_name, phone, reason, talking_points, due_at, attempt, status, created_at)
            VALUES (\(t.id), \(t.deliveryID), \(t.messageID), \(t.channel), \(t.clientID), \(t.clientName),
                \(t.assignee?.lowercased()), \(t.assigneeName), \(t.contactName), \(t.phone), \(t.reason), \(t.talkingPoints),
                \(t.dueAt), \(t.attempt), 'open', \(t.createdAt))
            ON CONFLICT DO NOTHING RETURNING id
            """, logger: logger) != nil
    }

    static func task(_ row: PGRow) throws -> PhoneTask {
        PhoneTask(
            id: try row["id"], deliveryID: try row["delivery_id"], messageID: try row["message_id"], channel: try row["channel"],
            clientID: try row["client_id"], clientName: try row["client_name"], assignee: try row["assignee"],
            assigneeName: try row["assignee_name"], contactName: try row["contact_name"], phone: try row["phone"],
            reason: try row["reason"], talkingPoints: try row["talking_points"], dueAt: try row["due_at"],
            attempt: try row["attempt"], status: PhoneTask.Status(rawValue: try row["status"]) ?? .open,
            outcome: (try row["outcome"] as String?).flatMap(PhoneTask.Outcome.init(rawValue:)), note: try row["note"],
            createdAt: try row["created_at"], completedAt: try row["completed_at"], completedBy: try row["completed_by"],
            escalatedAt: try row["escalated_at"])
    }
}
