import HeraldCore
import HeraldStore
import Logging
import PostgresNIO

// MARK: - The suppression list as operators manage it (see SQLiteStore+Suppressions).

extension PostgresStore {
    static let suppressionColumns = "address, category, source, reason, delivery_id, actor, created_at"

    public func suppressions(matching query: SuppressionQuery) async throws -> [Suppression] {
        var s = PGStatement("SELECT \(Self.suppressionColumns) FROM suppressions")
        var conditions: [String] = []
        if !query.addresses.isEmpty { conditions.append("address = ANY(\(s.bind(query.addresses.map(Suppression.key))))") }
        if let domain = query.domain {
            conditions.append("right(address, \(s.bind(domain.unicodeScalars.count + 1))::int) = \(s.bind("@" + domain))")
        }
        if let source = query.source { conditions.append("source = \(s.bind(source))") }
        if let category = query.category { conditions.append("category = \(s.bind(category))") }
        if let after = query.after { conditions.append("(address, category) > (\(s.bind(after.address)), \(s.bind(after.category)))") }
        if !conditions.isEmpty { s.append(" WHERE " + conditions.joined(separator: " AND ")) }
        s.append(" ORDER BY address, category LIMIT \(s.bind(query.limit))")
        let statement = s
        return try await read { conn in
            try await conn.rows(statement.query, logger: self.logger).map(Self.suppression)
        }
    }

    public func suppress(_ entries: [Suppression]) async throws -> [(entry: Suppression, created: Bool)] {
        try await write { conn in
            var stored: [(entry: Suppression, created: Bool)] = []
            for entry in entries { stored += try await Self.suppress(entry, conn: conn, logger: self.logger) }
            return stored
        }
    }

    private static func suppress(_ entry: Suppression, conn: PostgresConnection, logger: Logger) async throws
        -> [(entry: Suppression, created: Bool)]
    {
        if try await conn.row(
            """
            INSERT INTO suppressions (address, category, source, reason, delivery_id, actor, created_at)
            VALUES (\(entry.address), \(entry.category), \(entry.source), \(entry.reason), \(entry.deliveryID), \(entry.actor),
                \(entry.createdAt))
            ON CONFLICT (address, category) DO NOTHING RETURNING address
            """, logger: logger) != nil
        {
            return [(entry, true)]
        }
        let row = try await conn.row(
            PostgresQuery(
                unsafeSQL: "SELECT \(suppressionColumns) FROM suppressions WHERE address = $1 AND category = $2",
                binds: PostgresQueries.binds(entry.address, entry.category)),
            logger: logger)
        return try row.map { [(try suppression($0), false)] } ?? []
    }

    public func unsuppress(address: String, category: String?) async throws -> [Suppression] {
        let key = Suppression.key(address)
        return try await write { conn in
            try await conn.rows(
                """
                DELETE FROM suppressions WHERE address = \(key) AND (\(category)::text IS NULL OR category = \(category))
                RETURNING address, category, source, reason, delivery_id, actor, created_at
                """, logger: self.logger
            ).map(Self.suppression).sorted { $0.category < $1.category }
        }
    }

    static func suppression(_ row: PGRow) throws -> Suppression {
        Suppression(
            address: try row["address"], category: try row["category"], source: try row["source"], reason: try row["reason"],
            deliveryID: try row["delivery_id"], actor: try row["actor"], createdAt: try row["created_at"])
    }
}
