import Foundation
import GRDB
import GRDBSQLite
import Testing

@testable import HeraldStore

/// ``BoundStatement`` binds what GRDB would (text, empty text, NULL, integers, booleans), reports
/// SQLite's errors as GRDB's `DatabaseError`, and leaves the cached statement usable afterwards.
@Suite struct BoundStatementTests {
    private func withTable(_ body: (Database) throws -> Void) throws {
        let queue = try DatabaseQueue()
        try queue.write { db in
            try db.execute(sql: "CREATE TABLE t (k TEXT PRIMARY KEY NOT NULL, s TEXT, i INTEGER, b INTEGER)")
            try body(db)
        }
    }

    private func insert(_ db: Database, _ k: String, _ s: String?, _ i: Int64?, _ b: Bool?) throws {
        var statement = BoundStatement(try db.cachedStatement(sql: "INSERT INTO t (k, s, i, b) VALUES (?, ?, ?, ?)"))
        statement.bind(k)
        statement.bind(s)
        statement.bind(i)
        statement.bind(b)
        try statement.execute(db)
    }

    @Test func bindsValuesAsGRDBWould() throws {
        try withTable { db in
            try insert(db, "a", "héllo 一 😀", Int64.max, true)
            try insert(db, "b", "", nil, false)
            try insert(db, "c", nil, -1, nil)
            let rows = try Row.fetchAll(db, sql: "SELECT k, s, typeof(s) AS st, i, b FROM t ORDER BY k")
            #expect(rows[0]["s"] as String? == "héllo 一 😀")
            #expect(rows[0]["i"] as Int64? == Int64.max)
            #expect(rows[0]["b"] as Bool? == true)
            #expect(rows[1]["st"] as String == "text")          // an empty string is text, not NULL
            #expect(rows[1]["s"] as String? == "")
            #expect(rows[1]["i"] as Int64? == nil)
            #expect(rows[1]["b"] as Bool? == false)
            #expect(rows[2]["st"] as String == "null")
            #expect(rows[2]["i"] as Int64? == -1)
        }
    }

    @Test func aFailureIsADatabaseErrorAndTheStatementStaysUsable() throws {
        try withTable { db in
            try insert(db, "a", "x", 1, true)
            do {
                try insert(db, "a", "again", 2, false)
                Issue.record("a duplicate key was inserted")
            } catch let error as DatabaseError {
                #expect(error.resultCode == .SQLITE_CONSTRAINT)
                #expect(error.message?.contains("UNIQUE") == true)
            }
            // The same cached statement, through GRDB first (its reset throws on a statement left
            // in a failed state), then through BoundStatement.
            try db.cachedStatement(sql: "INSERT INTO t (k, s, i, b) VALUES (?, ?, ?, ?)").execute(arguments: ["c", "z", 4, true])
            try insert(db, "b", "y", 3, nil)
            #expect(try String.fetchAll(db, sql: "SELECT k FROM t ORDER BY k") == ["a", "b", "c"])
            #expect(try String.fetchOne(db, sql: "SELECT s FROM t WHERE k = 'a'") == "x")
        }
    }

    @Test func aParameterLeftUnboundIsRefusedNotTakenFromTheLastRun() throws {
        try withTable { db in
            try insert(db, "a", "first", 1, true)
            // Bindings are not cleared between runs: a short bind would reuse "first", 1 and true.
            var short = BoundStatement(try db.cachedStatement(sql: "INSERT INTO t (k, s, i, b) VALUES (?, ?, ?, ?)"))
            short.bind("b")
            do {
                try short.execute(db)
                Issue.record("a statement with unbound parameters ran")
            } catch let error as DatabaseError {
                #expect(error.resultCode == .SQLITE_MISUSE)
            }
            #expect(try String.fetchAll(db, sql: "SELECT k FROM t") == ["a"])
            try insert(db, "c", nil, nil, nil)
            #expect(try Row.fetchOne(db, sql: "SELECT s, i, b FROM t WHERE k = 'c'") == ["s": nil, "i": nil, "b": nil])
        }
    }

    @Test func readsRowsAndLeavesNoStatementActive() throws {
        try withTable { db in
            try insert(db, "a", "héllo", 7, true)
            try insert(db, "b", "", nil, nil)
            let select = try db.cachedStatement(sql: "SELECT k, s, i, b FROM t WHERE k >= ? ORDER BY k")
            var all = BoundStatement(select)
            all.bind("a")
            let rows = try all.rows(db) { row in [row.text(0), row.text(1), row.integer(2).map(String.init), row.integer(3).map(String.init)] }
            #expect(rows == [["a", "héllo", "7", "1"], ["b", "", nil, nil]])
            var first = BoundStatement(select)
            first.bind("b")
            #expect(try first.firstRow(db) { $0.text(0) } == "b")
            // firstRow stopped after one row and reset: nothing is left running on the connection.
            #expect(sqlite3_stmt_busy(select.sqliteStatement) == 0)
            var none = BoundStatement(select)
            none.bind("z")
            #expect(try none.firstRow(db) { $0.text(0) } == nil)
        }
    }
}
