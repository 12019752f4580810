import GRDB
import GRDBSQLite

/// One execution of a cached GRDB statement, bound and stepped through SQLite's C API.
///
/// GRDB's `execute(arguments:)` builds a `StatementArguments` array of `DatabaseValue`s and binds
/// it through existentials and nested closures: on the enqueue and drain paths that cost about as
/// much as SQLite's own work for the row (perf: 9 % of a batch enqueue's CPU in argument arrays
/// and bindings, against 4–5 % in SQLite's VDBE). This binds each value in place, in order.
///
/// For INSERT and UPDATE statements inside a GRDB write transaction. GRDB's observation hooks are
/// not called: Herald registers no transaction observer. A failure throws GRDB's
/// `DatabaseError`, so callers and ``SQLiteErrors`` treat it as any other; the transaction
/// around it is rolled back by GRDB as usual.
struct BoundStatement: ~Copyable {
    private let statement: Statement
    private let handle: OpaquePointer
    private var index: Int32 = 0

    /// `SQLITE_TRANSIENT`: SQLite copies the bytes before `sqlite3_bind_text` returns.
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    init(_ statement: Statement) {
        self.statement = statement
        handle = statement.sqliteStatement
        // The code of the previous run was reported then (or the statement is fresh). Bindings are
        // not cleared (2 % of a batch enqueue): every parameter is bound again, which `step` checks.
        sqlite3_reset(handle)
    }

    mutating func bind(_ value: String?) {
        index += 1
        guard var value else {
            sqlite3_bind_null(handle, index)
            return
        }
        let position = index
        value.withUTF8 { bytes in
            // An empty buffer may have no address, which SQLite would bind as NULL.
            if let base = bytes.baseAddress {
                base.withMemoryRebound(to: CChar.self, capacity: bytes.count) { text in
                    _ = sqlite3_bind_text(handle, position, text, Int32(bytes.count), Self.transient)
                }
            } else {
                _ = sqlite3_bind_text(handle, position, "", 0, Self.transient)
            }
        }
    }

    mutating func bind(_ value: Int64?) {
        index += 1
        if let value { sqlite3_bind_int64(handle, index, value) } else { sqlite3_bind_null(handle, index) }
    }

    mutating func bind(_ value: Int?) {
        bind(value.map(Int64.init))
    }

    mutating func bind(_ value: Bool?) {
        bind(value.map { $0 ? Int64(1) : 0 })
    }

    /// Runs the statement to its end (rows it returns are skipped).
    /// - Throws: `DatabaseError` with SQLite's code and message.
    consuming func execute(_ db: Database) throws {
        while try step(db) {}
    }

    /// Runs the statement to its end and decodes every row it returns, in order.
    consuming func rows<T>(_ db: Database, _ decode: (StatementRow) throws -> T) throws -> [T] {
        var rows: [T] = []
        while try step(db) { rows.append(try decode(StatementRow(handle: handle))) }
        return rows
    }

    /// Decodes the first row, if any, and resets the statement (a statement left on a row would
    /// keep its read open).
    consuming func firstRow<T>(_ db: Database, _ decode: (StatementRow) throws -> T) throws -> T? {
        defer { sqlite3_reset(handle) }
        return try step(db) ? try decode(StatementRow(handle: handle)) : nil
    }

    /// One step: true when a row is ready, false at the end.
    private func step(_ db: Database) throws -> Bool {
        // A parameter left unbound would run with the previous execution's value.
        let parameters = sqlite3_bind_parameter_count(handle)
        guard index == parameters else {
            throw DatabaseError(
                resultCode: .SQLITE_MISUSE, message: "\(index) of \(parameters) parameters bound", sql: statement.sql)
        }
        switch sqlite3_step(handle) {
        case SQLITE_DONE:
            return false
        case SQLITE_ROW:
            return true
        case let code:
            let message = String(cString: sqlite3_errmsg(db.sqliteConnection))
            // Leave the cached statement usable for the next caller.
            sqlite3_reset(handle)
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: message, sql: statement.sql)
        }
    }
}

/// The current row of a ``BoundStatement``, read by column position; valid until the next step.
struct StatementRow: SQLiteColumns {
    fileprivate let handle: OpaquePointer

    func text(_ index: Int) -> String? {
        let column = Int32(index)
        guard sqlite3_column_type(handle, column) != SQLITE_NULL, let bytes = sqlite3_column_text(handle, column) else {
            return nil
        }
        let count = Int(sqlite3_column_bytes(handle, column))
        return String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self)
    }

    func integer(_ index: Int) -> Int64? {
        let column = Int32(index)
        return sqlite3_column_type(handle, column) == SQLITE_NULL ? nil : sqlite3_column_int64(handle, column)
    }
}
