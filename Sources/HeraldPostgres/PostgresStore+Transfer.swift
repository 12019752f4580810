import HeraldCore
import HeraldStore
import PostgresNIO

// MARK: - Moving rows between backends (herald export / import).

extension PostgresStore {
    public func exportRows(_ table: StoreTable, after: [JSONValue]?, limit: Int) async throws -> [[JSONValue]] {
        var s = PGStatement("SELECT \(table.columnList) FROM \(table.name)")
        if let after {
            let marks = after.map { Self.bind($0, into: &s) }.joined(separator: ", ")
            s.append(" WHERE (\(table.keyList)) > (\(marks))")
        }
        s.append(" ORDER BY \(table.keyList) LIMIT \(max(1, limit))")
        let statement = s
        return try await read { conn in
            try await conn.rows(statement.query, logger: self.logger).map { row in
                try table.columns.map { column -> JSONValue in
                    switch column.kind {
                    case .text: (try row[column.name] as String?).map(JSONValue.string) ?? .null
                    case .integer: (try row[column.name] as Int64?).map(JSONValue.int) ?? .null
                    case .boolean: (try row[column.name] as Bool?).map(JSONValue.bool) ?? .null
                    }
                }
            }
        }
    }

    public func importRows(_ table: StoreTable, _ rows: [[JSONValue]]) async throws {
        guard !rows.isEmpty else { return }
        // Multi-row INSERTs, each under PostgreSQL's 65,535 bound values.
        let perStatement = max(1, 60_000 / table.columns.count)
        var statements: [PGStatement] = []
        for start in stride(from: 0, to: rows.count, by: perStatement) {
            var s = PGStatement("INSERT INTO \(table.name) (\(table.columnList)) VALUES ")
            let values = rows[start..<min(start + perStatement, rows.count)].map { row in
                "(" + row.map { Self.bind($0, into: &s) }.joined(separator: ", ") + ")"
            }
            s.append(values.joined(separator: ", "))
            statements.append(s)
        }
        let all = statements
        do {
            try await write { conn in
                for statement in all { try await conn.run(statement.query, logger: self.logger) }
            }
        } catch where PostgresErrors.isUniqueViolation(error) {
            throw HeraldError.conflict("\(table.name): a row exists already")
        }
    }

    public func rowCounts() async throws -> [String: Int] {
        try await read { conn in
            var counts: [String: Int] = [:]
            for table in StoreTable.all {
                counts[table.name] = try await conn.row(
                    PostgresQuery(unsafeSQL: "SELECT COUNT(*) AS n FROM \(table.name)"), logger: self.logger)?["n"] ?? 0
            }
            return counts
        }
    }

    private static func bind(_ value: JSONValue, into s: inout PGStatement) -> String {
        switch value {
        case .string(let text): s.bind(text)
        case .int(let i): s.bind(i)
        case .bool(let b): s.bind(b)
        case .double(let d): s.bind(d)
        case .null, .array, .object: s.bind(String?.none)
        }
    }
}
