import Foundation
import GRDB
import HeraldCore

// MARK: - The client registry.

extension SQLiteStore {
    public func upsertClient(_ client: Client) async throws -> Bool {
        try await pool.write { db in
            let existed = try Bool.fetchOne(db, sql: "SELECT 1 FROM clients WHERE id = ?", arguments: [client.id]) ?? false
            try db.execute(
                sql: """
                    INSERT INTO clients (id, name, tier, timezone, locale, lifecycle_stage, csm, endpoints, created_at, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (id) DO UPDATE SET name = excluded.name, tier = excluded.tier, timezone = excluded.timezone,
                        locale = excluded.locale, lifecycle_stage = excluded.lifecycle_stage, csm = excluded.csm,
                        endpoints = excluded.endpoints, updated_at = excluded.updated_at
                    """,
                arguments: [
                    client.id, client.name, client.tier, client.timezone, client.locale, client.lifecycleStage,
                    client.csm.map(ClientJSON.csm)?.canonicalText,
                    JSONValue.object(client.endpoints.mapValues(JSONValue.string)).canonicalText,
                    client.createdAt, client.updatedAt,
                ])
            try db.execute(sql: "DELETE FROM contacts WHERE client_id = ?", arguments: [client.id])
            for c in client.contacts {
                try db.execute(
                    sql: "INSERT INTO contacts (client_id, id, name, email, phone, locale, opt_outs) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    arguments: [
                        client.id, c.id, c.name, c.email, c.phone, c.locale,
                        c.optOuts.map(\.rawValue).sorted().joined(separator: ","),
                    ])
            }
            return !existed
        }
    }

    public func client(id: String) async throws -> Client? {
        try await pool.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM clients WHERE id = ?", arguments: [id]) else {
                return nil
            }
            return try Self.client(row, db: db)
        }
    }

    public func clients(matching filter: ClientFilter, after: String?, limit: Int) async throws -> [Client] {
        let (clause, arguments) = Self.clientFilter(filter, after: after)
        return try await pool.read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM clients\(clause) ORDER BY id LIMIT \(max(1, min(limit, 500)))", arguments: arguments
            ).map { try Self.client($0, db: db) }
        }
    }

    public func clients(ids: [String]) async throws -> [Client] {
        guard !ids.isEmpty else { return [] }
        return try await pool.read { db in
            try ids.compactMap { id in
                try Row.fetchOne(db, sql: "SELECT * FROM clients WHERE id = ?", arguments: [id]).map { try Self.client($0, db: db) }
            }
        }
    }

    public func clientIDs(matching filter: ClientFilter, limit: Int) async throws -> [String] {
        let (clause, arguments) = Self.clientFilter(filter, after: nil)
        return try await pool.read { db in
            try String.fetchAll(
                db, sql: "SELECT id FROM clients\(clause) ORDER BY id LIMIT \(max(1, min(limit, 10_000)))", arguments: arguments)
        }
    }

    /// The WHERE clause (with its leading space, or empty) and arguments of a client list.
    private static func clientFilter(_ filter: ClientFilter, after: String?) -> (String, StatementArguments) {
        var conditions: [String] = []
        var arguments: [(any DatabaseValueConvertible)?] = []
        if let tier = filter.tier { conditions.append("tier = ?"); arguments.append(tier) }
        if let stage = filter.stage { conditions.append("lifecycle_stage = ?"); arguments.append(stage) }
        if let csm = filter.csm { conditions.append("json_extract(csm, '$.email') = ?"); arguments.append(csm) }
        if let pattern = filter.searchPattern, let phone = filter.phonePattern {
            // A scan of the clients and their contacts (LIKE folds A–Z only): fine for a registry of
            // tens of thousands, and what a CSM's search box needs.
            conditions.append("""
                (id LIKE ? ESCAPE '\\' OR name LIKE ? ESCAPE '\\' OR EXISTS (SELECT 1 FROM contacts c WHERE c.client_id = clients.id
                    AND (c.name LIKE ? ESCAPE '\\' OR c.email LIKE ? ESCAPE '\\' OR c.phone LIKE ? ESCAPE '\\')))
                """)
            arguments += [pattern, pattern, pattern, pattern, phone]
        }
        if let after { conditions.append("id > ?"); arguments.append(after) }
        let clause = conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
        return (clause, StatementArguments(arguments))
    }

    public func clientActivity(clientIDs: [String], openableChannels: [String]) async throws -> [String: ClientActivity] {
        guard !clientIDs.isEmpty else { return [:] }
        let ids = Array(Set(clientIDs).prefix(1_000))
        let channels = openableChannels.isEmpty ? [""] : openableChannels
        let important = ClientActivity.importantPriorities.map(\.rawValue).sorted()
        let sql = """
            SELECT client_id, MAX(created_at) AS last_contact, COUNT(*) AS messages,
                   SUM(unopened) AS unopened, SUM(unopened AND priority IN (\(SQLiteRows.placeholders(important.count)))) AS important
            FROM (
                SELECT m.client_id, m.created_at, m.priority,
                       EXISTS (SELECT 1 FROM deliveries d WHERE d.message_id = m.id
                               AND d.channel IN (\(SQLiteRows.placeholders(channels.count))) AND d.state IN ('sent', 'delivered'))
                       AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.message_id = m.id AND d.state IN ('opened', 'clicked'))
                       AS unopened
                FROM messages m WHERE m.client_id IN (\(SQLiteRows.placeholders(ids.count)))
            )
            GROUP BY client_id
            """
        let arguments = important + channels + ids
        return try await pool.read { db in
            var found: [String: ClientActivity] = [:]
            for row in try Row.fetchAll(db, sql: sql, arguments: StatementArguments(arguments)) {
                let id: String = row["client_id"]
                found[id] = ClientActivity(
                    clientID: id, lastContactAt: row["last_contact"], messages: row["messages"], unopened: row["unopened"],
                    unopenedImportant: row["important"])
            }
            return found
        }
    }

    static func client(_ row: Row, db: Database) throws -> Client {
        let id: String = row["id"]
        let contacts = try Row.fetchAll(
            db, sql: "SELECT * FROM contacts WHERE client_id = ? ORDER BY id", arguments: [id]
        ).map { c in
            Contact(
                id: c["id"], name: c["name"], email: c["email"], phone: c["phone"], locale: c["locale"],
                optOuts: StoredClient.optOuts(c["opt_outs"]))
        }
        return StoredClient.make(
            id: id, name: row["name"], tier: row["tier"], timezone: row["timezone"], locale: row["locale"],
            lifecycleStage: row["lifecycle_stage"], csmText: row["csm"], contacts: contacts, endpointsText: row["endpoints"],
            createdAt: row["created_at"], updatedAt: row["updated_at"])
    }
}
