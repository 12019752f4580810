import GRDB
import HeraldCore

// MARK: - The suppression list as operators manage it.

extension SQLiteStore {
    static let suppressionColumns = "address, category, source, reason, delivery_id, actor, created_at"

    public func suppressions(matching query: SuppressionQuery) async throws -> [Suppression] {
        var conditions: [String] = []
        var arguments: StatementArguments = []
        if !query.addresses.isEmpty {
            conditions.append("address IN (\(SQLiteRows.placeholders(query.addresses.count)))")
            arguments += StatementArguments(query.addresses.map(Suppression.key))
        }
        if let domain = query.domain {
            // The address's end, compared whole: no LIKE, so no wildcard in a domain matters.
            conditions.append("substr(address, -?) = ?")
            arguments += [domain.unicodeScalars.count + 1, "@" + domain]
        }
        if let source = query.source {
            conditions.append("source = ?")
            arguments += [source]
        }
        if let category = query.category {
            conditions.append("category = ?")
            arguments += [category]
        }
        if let after = query.after {
            conditions.append("(address, category) > (?, ?)")
            arguments += [after.address, after.category]
        }
        let sql = """
            SELECT \(Self.suppressionColumns) FROM suppressions
            \(conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND "))
            ORDER BY address, category LIMIT ?
            """
        arguments += [query.limit]
        return try await pool.read { [arguments] db in
            try Row.fetchAll(db, sql: sql, arguments: arguments).map(Self.suppression)
        }
    }

    public func suppress(_ entries: [Suppression]) async throws -> [(entry: Suppression, created: Bool)] {
        try await pool.write { db in
            let insert = try db.cachedStatement(sql: """
                INSERT INTO suppressions (address, category, source, reason, delivery_id, actor, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (address, category) DO NOTHING
                """)
            let existing = try db.cachedStatement(
                sql: "SELECT \(Self.suppressionColumns) FROM suppressions WHERE address = ? AND category = ?")
            var stored: [(entry: Suppression, created: Bool)] = []
            for entry in entries {
                try insert.execute(arguments: [
                    entry.address, entry.category, entry.source, entry.reason, entry.deliveryID, entry.actor, entry.createdAt,
                ])
                if db.changesCount > 0 {
                    stored.append((entry, true))
                } else if let row = try Row.fetchOne(existing, arguments: [entry.address, entry.category]) {
                    stored.append((Self.suppression(row), false))
                }
            }
            return stored
        }
    }

    public func unsuppress(address: String, category: String?) async throws -> [Suppression] {
        try await pool.write { db in
            let key = Suppression.key(address)
            let filter = category == nil ? "address = ?" : "address = ? AND category = ?"
            let arguments: StatementArguments = category.map { [key, $0] } ?? [key]
            let removed = try Row.fetchAll(
                db, sql: "SELECT \(Self.suppressionColumns) FROM suppressions WHERE \(filter) ORDER BY category", arguments: arguments
            ).map(Self.suppression)
            try db.execute(sql: "DELETE FROM suppressions WHERE \(filter)", arguments: arguments)
            return removed
        }
    }

    static func suppression(_ row: Row) -> Suppression {
        Suppression(
            address: row["address"], category: row["category"], source: row["source"], reason: row["reason"],
            deliveryID: row["delivery_id"], actor: row["actor"], createdAt: row["created_at"])
    }
}
