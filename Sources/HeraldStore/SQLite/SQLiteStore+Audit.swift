import GRDB
import HeraldCore

// MARK: - The audit log.

extension SQLiteStore {
    public func recordAudit(_ entries: [AuditEntry]) async throws {
        guard !entries.isEmpty else { return }
        try await pool.write { db in
            for e in entries {
                try db.execute(
                    sql: "INSERT INTO audit_log (id, at, actor, action, subject, detail) VALUES (?, ?, ?, ?, ?, ?)",
                    arguments: [e.id, e.at, e.actor, e.action.rawValue, e.subject, e.detail])
            }
        }
    }

    public func audit(matching query: AuditQuery) async throws -> [AuditEntry] {
        var conditions: [String] = []
        var arguments: [(any DatabaseValueConvertible)?] = []
        if let actions = query.actions {
            guard !actions.isEmpty else { return [] }
            conditions.append("action IN (\(SQLiteRows.placeholders(actions.count)))")
            arguments += actions.map(\.rawValue)
        }
        if let actor = query.actor { conditions.append("actor = ?"); arguments.append(actor) }
        if let subject = query.subject { conditions.append("subject = ?"); arguments.append(subject) }
        // By `at`, not by the id's time: an imported entry keeps its time, with an id made on import.
        if let since = query.since { conditions.append("at >= ?"); arguments.append(since) }
        if let until = query.until { conditions.append("at < ?"); arguments.append(until) }
        if let before = query.before { conditions.append("id < ?"); arguments.append(before) }
        let clause = conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
        let sql = "SELECT id, at, actor, action, subject, detail FROM audit_log\(clause) ORDER BY id DESC LIMIT \(max(1, min(query.limit, 500)))"
        let bound = StatementArguments(arguments)
        return try await pool.read { db in
            try Row.fetchAll(db, sql: sql, arguments: bound).compactMap { row in
                // An action this version does not know (written by a newer one) is left out, not guessed.
                guard let action = AuditEntry.Action(rawValue: row["action"]) else { return nil }
                return AuditEntry(
                    id: row["id"], at: row["at"], actor: row["actor"], action: action, subject: row["subject"], detail: row["detail"])
            }
        }
    }
}
