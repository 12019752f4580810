import HeraldCore
import HeraldStore
import PostgresNIO

// MARK: - The audit log.

extension PostgresStore {
    public func recordAudit(_ entries: [AuditEntry]) async throws {
        guard !entries.isEmpty else { return }
        try await write { conn in
            for e in entries {
                try await conn.run(
                    """
                    INSERT INTO audit_log (id, at, actor, action, subject, detail)
                    VALUES (\(e.id), \(e.at), \(e.actor), \(e.action.rawValue), \(e.subject), \(e.detail))
                    """, logger: self.logger)
            }
        }
    }

    public func audit(matching query: AuditQuery) async throws -> [AuditEntry] {
        var s = PGStatement("SELECT id, at, actor, action, subject, detail FROM audit_log")
        var conditions: [String] = []
        if let actions = query.actions {
            guard !actions.isEmpty else { return [] }
            conditions.append("action = ANY(\(s.bind(actions.map(\.rawValue))))")
        }
        if let actor = query.actor { conditions.append("actor = \(s.bind(actor))") }
        if let subject = query.subject { conditions.append("subject = \(s.bind(subject))") }
        // By `at`, like SQLite (the audit log is short: no index on it).
        if let since = query.since { conditions.append("at >= \(s.bind(since))") }
        if let until = query.until { conditions.append("at < \(s.bind(until))") }
        if let before = query.before { conditions.append("id < \(s.bind(before))") }
        if !conditions.isEmpty { s.append(" WHERE " + conditions.joined(separator: " AND ")) }
        s.append(" ORDER BY id DESC LIMIT \(max(1, min(query.limit, 500)))")
        let statement = s
        return try await read { conn in
            try await conn.rows(statement.query, logger: self.logger).compactMap { row -> AuditEntry? in
                // An action this version does not know (written by a newer one) is left out, not guessed.
                guard let action = AuditEntry.Action(rawValue: try row["action"]) else { return nil }
                return AuditEntry(
                    id: try row["id"], at: try row["at"], actor: try row["actor"], action: action, subject: try row["subject"],
                    detail: try row["detail"])
            }
        }
    }
}
