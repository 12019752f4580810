import GRDB
import HeraldCore

// MARK: - Phone tasks.

extension SQLiteStore {
    static let taskColumns = StoreColumns.task

    @discardableResult
    public func openTasks(_ openings: [TaskOpening], now: Int64) async throws -> Set<String> {
        guard !openings.isEmpty else { return [] }
        return try await pool.write { db in
            try SQLiteEnqueue.within(db) { enqueue in try Self.open(openings, enqueue: enqueue, now: now, db: db) }
        }
    }

    private static func open(_ openings: [TaskOpening], enqueue: SQLiteEnqueue, now: Int64, db: Database) throws -> Set<String> {
        var opened: Set<String> = []
        for opening in openings {
            let task = opening.task
            // Cancelled while it was being opened: the cancel could not stop a delivery in flight.
            if try Row.fetchOne(
                db.cachedStatement(sql: """
                    SELECT 1 FROM events WHERE message_id = ? AND type = 'cancelled'
                        AND created_at >= (SELECT updated_at FROM deliveries WHERE id = ?) LIMIT 1
                    """), arguments: [task.messageID, task.deliveryID]) != nil
            {
                try db.cachedStatement(sql: """
                    UPDATE deliveries SET state = 'cancelled', lease_until = NULL, lease_owner = NULL, updated_at = ?
                    WHERE id = ? AND state = 'sending'
                    """).execute(arguments: [now, task.deliveryID])
                if db.changesCount > 0 {
                    try SQLiteRows.insertEvent(
                        db, messageID: task.messageID, deliveryID: task.deliveryID, type: "cancelled", state: .cancelled,
                        detail: StoreText.callCancelledInFlight, actor: "dispatcher", at: now)
                }
                continue
            }
            // Only the lease holder's claim moves on; a task that exists already was made by an
            // earlier claim whose lease ran out before the delivery was marked.
            guard try Self.insertTask(task, db: db) else { continue }
            opened.insert(task.id)
            try db.cachedStatement(sql: """
                UPDATE deliveries SET state = 'sent', provider_id = ?, lease_until = NULL,
                    lease_owner = NULL, last_error = NULL, updated_at = ?
                WHERE id = ? AND state = 'sending'
                """).execute(arguments: [task.id, now, task.deliveryID])
            try SQLiteRows.insertEvent(
                db, messageID: task.messageID, deliveryID: task.deliveryID, type: "task_created", state: .sent,
                detail: StoreText.taskCreated(task), actor: "dispatcher", at: now)
            for notice in opening.notices { _ = try enqueue.insert(notice) }
        }
        return opened
    }

    public func closeTasksOfExpiredMessages(now: Int64, limit: Int) async throws -> [String] {
        // Through the partial index of open tasks: they are few, expired ones fewer. Read first, so
        // the sweep takes the writer only when there is something to close.
        let sql = """
            SELECT t.id, t.message_id, t.delivery_id FROM tasks t JOIN messages m ON m.id = t.message_id
            WHERE t.status = 'open' AND m.expires_at <= ? ORDER BY t.id LIMIT ?
            """
        guard try await pool.read({ db in try Row.fetchOne(db, sql: sql, arguments: [now, 1]) }) != nil else { return [] }
        return try await pool.write { db in
            let rows = try Row.fetchAll(db, sql: sql, arguments: [now, limit])
            var closed: [String] = []
            for row in rows {
                let id: String = row["id"]
                if try SQLiteCancel.closeTask(
                    id: id, messageID: row["message_id"], deliveryID: row["delivery_id"], note: StoreText.taskExpired(taskID: id),
                    actor: "dispatcher", now: now, db: db)
                {
                    closed.append(id)
                }
            }
            return closed
        }
    }

    public func tasks(matching query: TaskQuery) async throws -> [PhoneTask] {
        try await pool.read { db in
            var conditions: [String] = []
            var arguments: [(any DatabaseValueConvertible)?] = []
            if let assignee = query.assignee {
                if assignee == "unassigned" { conditions.append("assignee IS NULL") } else {
                    conditions.append("assignee = ?")
                    arguments.append(assignee.lowercased())
                }
            }
            if let status = query.status {
                conditions.append("status = ?")
                arguments.append(status.rawValue)
            }
            if let client = query.clientID {
                conditions.append("client_id = ?")
                arguments.append(client)
            }
            if !query.messageIDs.isEmpty {
                conditions.append("message_id IN (\(SQLiteRows.placeholders(query.messageIDs.count)))")
                arguments += query.messageIDs.map { $0 }
            }
            if let before = query.dueBefore {
                conditions.append("status = 'open' AND due_at <= ?")
                arguments.append(before)
            }
            if query.notEscalated { conditions.append("escalated_at IS NULL") }
            if let cursor = query.cursor {
                conditions.append(query.newestFirst ? "id < ?" : "id > ?")
                arguments.append(cursor)
            }
            let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
            arguments.append(query.limit)
            return try Row.fetchAll(
                db, sql: "SELECT \(Self.taskColumns) FROM tasks \(filter) ORDER BY id \(query.newestFirst ? "DESC" : "ASC") LIMIT ?",
                arguments: StatementArguments(arguments)
            ).map(Self.task)
        }
    }

    public func task(id: String) async throws -> PhoneTask? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT \(Self.taskColumns) FROM tasks WHERE id = ?", arguments: [id]).map(Self.task)
        }
    }

    public func completeTask(_ c: TaskCompletion) async throws -> PhoneTask {
        try await pool.write { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT \(Self.taskColumns) FROM tasks WHERE id = ?", arguments: [c.taskID]) else {
                throw HeraldError.notFound("no task with id \(c.taskID)")
            }
            var task = Self.task(row)
            guard task.status == .open else { throw HeraldError.conflict(StoreText.taskClosed(task)) }
            try db.execute(sql: """
                UPDATE tasks SET status = 'done', outcome = ?, note = ?, completed_at = ?, completed_by = ? WHERE id = ?
                """, arguments: [c.outcome.rawValue, c.note, c.at, c.actor, task.id])
            task.status = .done
            task.outcome = c.outcome
            task.note = c.note
            task.completedAt = c.at
            task.completedBy = c.actor
            try SQLiteRows.insertEvent(
                db, messageID: task.messageID, deliveryID: task.deliveryID, type: "task_completed", state: nil,
                detail: StoreText.taskCompleted(task, outcome: c.outcome, note: c.note), actor: c.actor, at: c.at)
            if let state = c.deliveryState,
                let current = try String.fetchOne(db, sql: "SELECT state FROM deliveries WHERE id = ?", arguments: [task.deliveryID])
                    .flatMap(DeliveryState.init(rawValue:)),
                DeliveryStateMachine.canTransition(from: current, to: state)
            {
                try db.execute(
                    sql: "UPDATE deliveries SET state = ?, last_error = ?, updated_at = ? WHERE id = ?",
                    arguments: [state.rawValue, state == .failed ? c.detail : nil, c.at, task.deliveryID])
                try SQLiteRows.insertEvent(
                    db, messageID: task.messageID, deliveryID: task.deliveryID, type: state.rawValue, state: state,
                    detail: c.detail, actor: c.actor, at: c.at)
                if state == .failed { try SQLiteFallback.next(after: task.deliveryID, reason: c.detail, at: c.at, db: db) }
            }
            if c.flagNumber {
                try SQLiteSuppressions.addWrongNumber(
                    task.phone, reason: "wrong number (task \(task.id))", deliveryID: task.deliveryID, at: c.at, db: db)
            }
            if let next = c.followUp, try Self.insertTask(next, db: db) {
                try SQLiteRows.insertEvent(
                    db, messageID: next.messageID, deliveryID: next.deliveryID, type: "task_created", state: nil,
                    detail: StoreText.taskCreated(next), actor: c.actor, at: c.at)
                try SQLiteEnqueue.within(db) { enqueue in
                    for notice in c.notices { _ = try enqueue.insert(notice) }
                }
            }
            return task
        }
    }

    public func escalateTask(id: String, notices: [PlannedMessage], now: Int64) async throws -> Bool {
        try await pool.write { db in
            try db.execute(
                sql: "UPDATE tasks SET escalated_at = ? WHERE id = ? AND status = 'open' AND escalated_at IS NULL",
                arguments: [now, id])
            guard db.changesCount > 0,
                let row = try Row.fetchOne(db, sql: "SELECT message_id, delivery_id, assignee FROM tasks WHERE id = ?", arguments: [id])
            else { return false }
            let told = notices.flatMap { $0.deliveries.map(\.destination) }
            try SQLiteRows.insertEvent(
                db, messageID: row["message_id"], deliveryID: row["delivery_id"], type: "task_overdue", state: nil,
                detail: StoreText.taskOverdue(taskID: id, assignee: row["assignee"], told: told),
                actor: "dispatcher", at: now)
            try SQLiteEnqueue.within(db) { enqueue in
                for notice in notices { _ = try enqueue.insert(notice) }
            }
            return true
        }
    }

    /// Inserts a task unless its delivery already has a task for that call; returns whether it did.
    static func insertTask(_ t: PhoneTask, db: Database) throws -> Bool {
        try db.cachedStatement(sql: """
            INSERT OR IGNORE INTO tasks (id, delivery_id, message_id, channel, client_id, client_name, assignee,
                assignee_name, contact_name, phone, reason, talking_points, due_at, attempt, status, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', ?)
            """).execute(arguments: [
                t.id, t.deliveryID, t.messageID, t.channel, t.clientID, t.clientName, t.assignee?.lowercased(),
                t.assigneeName, t.contactName, t.phone, t.reason, t.talkingPoints, t.dueAt, t.attempt, t.createdAt,
            ])
        return db.changesCount > 0
    }

    static func task(_ row: Row) -> PhoneTask {
        PhoneTask(
            id: row["id"], deliveryID: row["delivery_id"], messageID: row["message_id"], channel: row["channel"],
            clientID: row["client_id"], clientName: row["client_name"], assignee: row["assignee"],
            assigneeName: row["assignee_name"], contactName: row["contact_name"], phone: row["phone"], reason: row["reason"],
            talkingPoints: row["talking_points"], dueAt: row["due_at"], attempt: row["attempt"],
            status: PhoneTask.Status(rawValue: row["status"]) ?? .open,
            outcome: (row["outcome"] as String?).flatMap(PhoneTask.Outcome.init(rawValue:)), note: row["note"],
            createdAt: row["created_at"], completedAt: row["completed_at"], completedBy: row["completed_by"],
            escalatedAt: row["escalated_at"])
    }
}
