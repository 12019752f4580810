import GRDB
import HeraldCore

// MARK: - Handing clients from one CSM to another.

extension SQLiteStore {
    public func handOver(
        _ h: Handover, notices: HandoverNotices, actor: String, now: Int64
    ) async throws -> HandoverResult {
        do {
            let work: @Sendable (Database) throws -> HandoverResult = { db in
                let theirs = try Row.fetchAll(
                    db, sql: "SELECT * FROM clients WHERE lower(json_extract(csm, '$.email')) = ? ORDER BY id", arguments: [h.from]
                ).map { try Self.client($0, db: db) }
                let chosen = try h.chosen(from: theirs)
                let ids = chosen.map(\.id)
                let marks = SQLiteRows.placeholders(ids.count)
                let tasks = try Row.fetchAll(
                    db, sql: """
                        SELECT \(Self.taskColumns) FROM tasks
                        WHERE status = 'open' AND assignee = ? AND client_id IN (\(marks)) ORDER BY id
                        """, arguments: StatementArguments([h.from] + ids)
                ).map(Self.task)
                // Messages that have reached nobody yet: none of their deliveries has sent anything.
                let waiting = try Row.fetchAll(
                    db, sql: """
                        SELECT id, client_id, reply_to, mentions FROM messages m
                        WHERE client_id IN (\(marks))
                          AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.message_id = m.id
                                          AND d.state NOT IN (\(Handover.unsentStateList)))
                        ORDER BY id
                        """, arguments: StatementArguments(ids)
                ).map { Handover.Waiting(id: $0["id"], clientID: $0["client_id"], replyTo: $0["reply_to"], mentions: Mentions.fromStored($0["mentions"])) }
                var (result, rewrites) = h.plan(chosen: chosen, openTasks: tasks, waiting: waiting, now: now)
                if h.dryRun { return result }
                let handed = result.clients
                let moved = result.tasks

                let csm = ClientJSON.csm(h.to).canonicalText
                for client in handed {
                    try db.execute(sql: "UPDATE clients SET csm = ?, updated_at = ? WHERE id = ?", arguments: [csm, now, client.id])
                }
                let byID = Dictionary(handed.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
                try SQLiteEnqueue.within(db) { enqueue in
                    for task in moved {
                        try db.execute(
                            sql: "UPDATE tasks SET assignee = ?, assignee_name = ? WHERE id = ? AND status = 'open'",
                            arguments: [task.assignee, task.assigneeName, task.id])
                        try SQLiteRows.insertEvent(
                            db, messageID: task.messageID, deliveryID: task.deliveryID, type: "task_reassigned", state: nil,
                            detail: StoreText.taskReassigned(task, from: h.from, actor: actor), actor: actor, at: now)
                        guard let client = task.clientID.flatMap({ byID[$0] }) else { continue }
                        for notice in notices.task(task, client) { _ = try enqueue.insert(notice) }
                    }
                    for notice in notices.summary(result) {
                        if case .created(let m, _) = try enqueue.insert(notice) { result.summary = m.id }
                    }
                }
                let detail = StoreText.messageReassigned(from: h.from, to: h.to, actor: actor)
                for r in rewrites {
                    try db.execute(
                        sql: "UPDATE messages SET reply_to = ?, mentions = ? WHERE id = ?",
                        arguments: [r.replyTo, Mentions.stored(r.mentions), r.id])
                    try SQLiteRows.insertEvent(
                        db, messageID: r.id, deliveryID: nil, type: "reassigned", state: nil, detail: detail, actor: actor, at: now)
                }
                return result
            }
            if h.dryRun { return try await pool.read { db in try work(db) } }
            return try await pool.write { db in try work(db) }
        } catch let error as HeraldError {
            throw error
        } catch {
            throw SQLiteErrors.map(error)
        }
    }
}
