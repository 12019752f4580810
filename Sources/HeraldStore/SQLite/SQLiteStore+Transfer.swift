import GRDB
import HeraldCore

// MARK: - Moving rows between backends (herald export / import).

extension SQLiteStore {
    public func exportRows(_ table: StoreTable, after: [JSONValue]?, limit: Int) async throws -> [[JSONValue]] {
        var sql = "SELECT \(table.columnList) FROM \(table.name)"
        var arguments: [(any DatabaseValueConvertible)?] = []
        if let after {
            sql += " WHERE (\(table.keyList)) > (\(SQLiteRows.placeholders(after.count)))"
            arguments = after.map(Self.databaseValue)
        }
        sql += " ORDER BY \(table.keyList) LIMIT \(max(1, limit))"
        let query = sql
        let bound = StatementArguments(arguments)
        return try await pool.read { db in
            var rows: [[JSONValue]] = []
            let cursor = try Row.fetchCursor(db, sql: query, arguments: bound)
            while let row = try cursor.next() {
                rows.append(table.columns.indices.map { i in
                    switch table.columns[i].kind {
                    case .text: (row[i] as String?).map(JSONValue.string) ?? .null
                    case .integer: (row[i] as Int64?).map(JSONValue.int) ?? .null
                    case .boolean: (row[i] as Bool?).map(JSONValue.bool) ?? .null
                    }
                })
            }
            return rows
        }
    }

    public func importRows(_ table: StoreTable, _ rows: [[JSONValue]]) async throws {
        guard !rows.isEmpty else { return }
        let sql = "INSERT INTO \(table.name) (\(table.columnList)) VALUES (\(SQLiteRows.placeholders(table.columns.count)))"
        do {
            // Imported deliveries count in `delivery_counts` like enqueued ones (no insert trigger).
            let stateColumn = table.name == "deliveries" ? table.columns.firstIndex { $0.name == "state" } : nil
            try await pool.write { db in
                let statement = try db.cachedStatement(sql: sql)
                var counts = SQLiteDeliveryCounts()
                for row in rows {
                    try statement.execute(arguments: StatementArguments(row.map(Self.databaseValue)))
                    if let stateColumn, case .string(let state) = row[stateColumn] { counts.inserted(state) }
                }
                try counts.apply(db)
            }
        } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT {
            throw HeraldError.conflict("\(table.name): \(error.message ?? "a row exists already")")
        }
    }

    public func rowCounts() async throws -> [String: Int] {
        try await pool.read { db in
            var counts: [String: Int] = [:]
            for table in StoreTable.all {
                counts[table.name] = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(table.name)") ?? 0
            }
            return counts
        }
    }

    private static func databaseValue(_ value: JSONValue) -> (any DatabaseValueConvertible)? {
        switch value {
        case .string(let s): s
        case .int(let i): i
        case .bool(let b): b
        case .double(let d): d
        case .null, .array, .object: nil
        }
    }
}
