import HeraldCore
import HeraldStore
import PostgresNIO

// MARK: - The client registry.

extension PostgresStore {
    public func upsertClient(_ client: Client) async throws -> Bool {
        try await write { conn in
            // xmax = 0 on the returned row: it was inserted, not updated.
            let row = try await conn.row(
                """
                INSERT INTO clients (id, name, tier, timezone, locale, lifecycle_stage, csm, endpoints, created_at, updated_at)
                VALUES (\(client.id), \(client.name), \(client.tier), \(client.timezone), \(client.locale), \(client.lifecycleStage),
                    \(client.csm.map(ClientJSON.csm)?.canonicalText),
                    \(JSONValue.object(client.endpoints.mapValues(JSONValue.string)).canonicalText),
                    \(client.createdAt), \(client.updatedAt))
                ON CONFLICT (id) DO UPDATE SET name = excluded.name, tier = excluded.tier, timezone = excluded.timezone,
                    locale = excluded.locale, lifecycle_stage = excluded.lifecycle_stage, csm = excluded.csm,
                    endpoints = excluded.endpoints, updated_at = excluded.updated_at
                RETURNING (xmax = 0) AS inserted
                """, logger: self.logger)
            try await conn.run("DELETE FROM contacts WHERE client_id = \(client.id)", logger: self.logger)
            for c in client.contacts {
                try await conn.run(
                    """
                    INSERT INTO contacts (client_id, id, name, email, phone, locale, opt_outs)
                    VALUES (\(client.id), \(c.id), \(c.name), \(c.email), \(c.phone), \(c.locale),
                        \(c.optOuts.map(\.rawValue).sorted().joined(separator: ",")))
                    """, logger: self.logger)
            }
            return try row?["inserted"] ?? false
        }
    }

    public func client(id: String) async throws -> Client? {
        try await clients(ids: [id]).first
    }

    public func clients(matching filter: ClientFilter, after: String?, limit: Int) async throws -> [Client] {
        var s = Self.clientFilter("SELECT * FROM clients", filter, after: after)
        s.append(" ORDER BY id LIMIT \(max(1, min(limit, 500)))")
        let statement = s
        return try await read { conn in
            try await self.clients(try await conn.rows(statement.query, logger: self.logger), conn: conn)
        }
    }

    public func clients(ids: [String]) async throws -> [Client] {
        guard !ids.isEmpty else { return [] }
        return try await read { conn in
            let rows = try await conn.rows("SELECT * FROM clients WHERE id = ANY(\(ids))", logger: self.logger)
            let found = try await self.clients(rows, conn: conn)
            let byID = Dictionary(found.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
            return ids.compactMap { byID[$0] }
        }
    }

    public func clientIDs(matching filter: ClientFilter, limit: Int) async throws -> [String] {
        var s = Self.clientFilter("SELECT id FROM clients", filter, after: nil)
        s.append(" ORDER BY id LIMIT \(max(1, min(limit, 10_000)))")
        let statement = s
        return try await read { conn in
            var ids: [String] = []
            for row in try await conn.rows(statement.query, logger: self.logger) { ids.append(try row["id"]) }
            return ids
        }
    }

    /// `select` with the WHERE clause of a client list.
    private static func clientFilter(_ select: String, _ filter: ClientFilter, after: String?) -> PGStatement {
        var s = PGStatement(select)
        var conditions: [String] = []
        if let tier = filter.tier { conditions.append("tier = \(s.bind(tier))") }
        if let stage = filter.stage { conditions.append("lifecycle_stage = \(s.bind(stage))") }
        if let csm = filter.csm { conditions.append("(csm::jsonb ->> 'email') = \(s.bind(csm))") }
        if let pattern = filter.searchPattern, let phone = filter.phonePattern {
            // ILIKE's escape character is `\` by default, as ClientFilter's patterns expect.
            let p = s.bind(pattern)
            conditions.append("""
                (id ILIKE \(p) OR name ILIKE \(p) OR EXISTS (SELECT 1 FROM contacts c WHERE c.client_id = clients.id
                    AND (c.name ILIKE \(p) OR c.email ILIKE \(p) OR c.phone LIKE \(s.bind(phone)))))
                """)
        }
        if let after { conditions.append("id > \(s.bind(after))") }
        if !conditions.isEmpty { s.append(" WHERE " + conditions.joined(separator: " AND ")) }
        return s
    }

    public func clientActivity(clientIDs: [String], openableChannels: [String]) async throws -> [String: ClientActivity] {
        guard !clientIDs.isEmpty else { return [:] }
        let ids = Array(Set(clientIDs).prefix(1_000))
        let important = ClientActivity.importantPriorities.map(\.rawValue).sorted()
        return try await read { conn in
            var found: [String: ClientActivity] = [:]
            for row in try await conn.rows(
                """
                SELECT client_id, MAX(created_at) AS last_contact, COUNT(*) AS messages,
                       COUNT(*) FILTER (WHERE unopened) AS unopened,
                       COUNT(*) FILTER (WHERE unopened AND priority = ANY(\(important))) AS important
                FROM (
                    SELECT m.client_id, m.created_at, m.priority,
                           EXISTS (SELECT 1 FROM deliveries d WHERE d.message_id = m.id
                                   AND d.channel = ANY(\(openableChannels)) AND d.state IN ('sent', 'delivered'))
                           AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.message_id = m.id AND d.state IN ('opened', 'clicked'))
                           AS unopened
                    FROM messages m WHERE m.client_id = ANY(\(ids))
                ) per_message
                GROUP BY client_id
                """, logger: self.logger)
            {
                let id: String = try row["client_id"]
                found[id] = ClientActivity(
                    clientID: id, lastContactAt: try row["last_contact"], messages: try row["messages"],
                    unopened: try row["unopened"], unopenedImportant: try row["important"])
            }
            return found
        }
    }

    /// The clients of `rows`, in their order, with the contacts of all of them read in one query.
    func clients(_ rows: [PGRow], conn: PostgresConnection) async throws -> [Client] {
        let ids = try rows.map { try $0["id"] as String }
        var contactsOf: [String: [Contact]] = [:]
        if !ids.isEmpty {
            let query: PostgresQuery = "SELECT * FROM contacts WHERE client_id = ANY(\(ids)) ORDER BY client_id, id"
            for c in try await conn.rows(query, logger: logger) {
                contactsOf[try c["client_id"], default: []].append(Contact(
                    id: try c["id"], name: try c["name"], email: try c["email"], phone: try c["phone"], locale: try c["locale"],
                    optOuts: StoredClient.optOuts(try c["opt_outs"])))
            }
        }
        return try rows.map { row in try Self.client(row, contacts: contactsOf[try row["id"]] ?? []) }
    }

    private static func client(_ row: PGRow, contacts: [Contact]) throws -> Client {
        StoredClient.make(
            id: try row["id"], name: try row["name"], tier: try row["tier"], timezone: try row["timezone"], locale: try row["locale"],
            lifecycleStage: try row["lifecycle_stage"], csmText: try row["csm"], contacts: contacts,
            endpointsText: try row["endpoints"], createdAt: try row["created_at"], updatedAt: try row["updated_at"])
    }
}
