import HeraldCore
import HeraldStore
import PostgresNIO

// MARK: - Handing clients from one CSM to another (see SQLiteStore+Handover).

extension PostgresStore {
    public func handOver(
        _ h: Handover, notices: HandoverNotices, actor: String, now: Int64
    ) async throws -> HandoverResult {
        let work = { (conn: PostgresConnection) async throws -> HandoverResult in
            // FOR UPDATE: a concurrent handover or client PUT waits for this one (a dry run only reads).
            let lock = h.dryRun ? "" : " FOR UPDATE"
            let rows = try await conn.rows(
                PostgresQuery(
                    unsafeSQL: "SELECT * FROM clients WHERE lower(csm::jsonb ->> 'email') = $1 ORDER BY id\(lock)",
                    binds: PostgresQueries.binds(h.from)),
                logger: self.logger)
            let chosen = try h.chosen(from: try await self.clients(rows, conn: conn))
            let ids = chosen.map(\.id)
            let tasks = try await conn.rows(
                PostgresQuery(unsafeSQL: """
                    SELECT \(StoreColumns.task) FROM tasks
                    WHERE status = 'open' AND assignee = $1 AND client_id = ANY($2) ORDER BY id\(lock)
                    """, binds: PostgresQueries.binds(h.from, ids)),
                logger: self.logger
            ).map(Self.task)
            let waiting = try await conn.rows(
                PostgresQuery(unsafeSQL: """
                    SELECT id, client_id, reply_to, mentions FROM messages m
                    WHERE client_id = ANY($1)
                      AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.message_id = m.id
                                      AND d.state NOT IN (\(Handover.unsentStateList)))
                    ORDER BY id
                    """, binds: PostgresQueries.binds(ids)),
                logger: self.logger
            ).map { row in
                Handover.Waiting(
                    id: try row["id"], clientID: try row["client_id"], replyTo: try row["reply_to"],
                    mentions: Mentions.fromStored(try row["mentions"]))
            }
            var (result, rewrites) = h.plan(chosen: chosen, openTasks: tasks, waiting: waiting, now: now)
            if h.dryRun { return result }
            let handed = result.clients
            let moved = result.tasks

            let csm = ClientJSON.csm(h.to).canonicalText
            try await conn.run("UPDATE clients SET csm = \(csm), updated_at = \(now) WHERE id = ANY(\(ids))", logger: self.logger)
            let byID = Dictionary(handed.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
            for task in moved {
                try await conn.run(
                    "UPDATE tasks SET assignee = \(task.assignee), assignee_name = \(task.assigneeName) WHERE id = \(task.id)",
                    logger: self.logger)
                try await PostgresRows.insertEvent(
                    conn, self.logger, messageID: task.messageID, deliveryID: task.deliveryID, type: "task_reassigned", state: nil,
                    detail: StoreText.taskReassigned(task, from: h.from, actor: actor), actor: actor, at: now)
                guard let client = task.clientID.flatMap({ byID[$0] }) else { continue }
                for notice in notices.task(task, client) { _ = try await PostgresEnqueue.insert(notice, conn: conn, logger: self.logger) }
            }
            for notice in notices.summary(result) {
                if case .created(let m, _) = try await PostgresEnqueue.insert(notice, conn: conn, logger: self.logger) { result.summary = m.id }
            }
            let detail = StoreText.messageReassigned(from: h.from, to: h.to, actor: actor)
            for r in rewrites {
                try await conn.run(
                    "UPDATE messages SET reply_to = \(r.replyTo), mentions = \(Mentions.stored(r.mentions)) WHERE id = \(r.id)",
                    logger: self.logger)
                try await PostgresRows.insertEvent(
                    conn, self.logger, messageID: r.id, deliveryID: nil, type: "reassigned", state: nil, detail: detail, actor: actor,
                    at: now)
            }
            return result
        }
        return h.dryRun ? try await read(work) : try await write(work)
    }
}
