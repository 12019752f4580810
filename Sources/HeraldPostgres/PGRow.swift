import HeraldCore
import Logging
import PostgresNIO

/// One result row, read by column name the way the SQLite store reads GRDB rows.
struct PGRow {
    let row: PostgresRandomAccessRow

    /// The column's value; throws when it is missing or of another type (a schema bug, not input).
    subscript<T: PostgresDecodable>(_ column: String) -> T {
        get throws { try row[column].decode(T.self) }
    }
}

/// A statement with its bindings, built piece by piece (filters that depend on the request).
struct PGStatement {
    private(set) var sql = ""
    private(set) var binds = PostgresBindings()

    init(_ sql: String = "") { self.sql = sql }

    mutating func append(_ text: String) { sql += text }

    /// Binds a value and returns its placeholder (`$n`).
    mutating func bind<T: PostgresNonThrowingEncodable>(_ value: T?) -> String {
        if let value { binds.append(value) } else { binds.appendNull() }
        return "$\(binds.count)"
    }

    var query: PostgresQuery { PostgresQuery(unsafeSQL: sql, binds: binds) }
}

extension PostgresConnection {
    /// Runs a statement and collects its rows.
    func rows(_ query: PostgresQuery, logger: Logger) async throws -> [PGRow] {
        var rows: [PGRow] = []
        for try await row in try await self.query(query, logger: logger) { rows.append(PGRow(row: row.makeRandomAccess())) }
        return rows
    }

    /// Runs a statement and returns its first row, or nil.
    func row(_ query: PostgresQuery, logger: Logger) async throws -> PGRow? {
        try await rows(query, logger: logger).first
    }

    /// Runs a statement whose rows do not matter.
    func run(_ query: PostgresQuery, logger: Logger) async throws {
        for try await _ in try await self.query(query, logger: logger) {}
    }
}
