import ArgumentParser
import Foundation
import HeraldCore
import HeraldStore

/// The export file: JSON Lines. A header, one line per row (`{"table":…,"row":{column: value}}`) in
/// an order that satisfies foreign keys, and an end line with the row count of every table, so a
/// cut-off file is refused instead of half-imported.
enum TransferFormat {
    static let name = "herald-export"
    static let version: Int64 = 1
    static let pageSize = 1_000

    static func header(createdAt: Int64) -> String {
        JSONValue.object([
            "format": .string(name), "version": .int(version), "created_at": .int(createdAt),
            "tables": .array(StoreTable.all.map { .string($0.name) }),
        ]).canonicalText
    }
}

struct Export: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write every message, delivery, event, client, token and subscription to a file (JSON Lines).",
        discussion: """
            Moves a database to another backend with `herald import` (SQLite to PostgreSQL, or back). \
            Stop the daemon first: rows are read in pages, so an export taken while it serves is not one \
            consistent copy (with SQLite the command refuses while the daemon runs).
            """)

    @OptionGroup var options: GlobalOptions
    @Argument(help: "The file to write (must not exist).") var path: String
    @Flag(help: "Print a JSON summary.") var json = false

    func run() async throws {
        try await CLIFailure.guarding {
            let config = try options.loadConfig()
            guard !FileManager.default.fileExists(atPath: path) else { throw CLIFailure("\(path) exists; choose a new file", code: 73) }
            if !config.database.isPostgres, let pid = DaemonLock.holder(databasePath: config.database.path) {
                throw CLIFailure("herald (pid \(pid)) is serving \(config.database.path); stop it first", code: 75)
            }
            let partial = path + ".partial"
            guard FileManager.default.createFile(atPath: partial, contents: nil), let out = FileHandle(forWritingAtPath: partial) else {
                throw CLIFailure("cannot create \(partial)", code: 73)
            }
            let quiet = json
            let counts = try await options.withStore { _, store -> [String: Int] in
                defer { try? out.close() }
                let totals = try await store.rowCounts()
                try out.write(contentsOf: Data((TransferFormat.header(createdAt: Timestamps.now()) + "\n").utf8))
                var written: [String: Int] = [:]
                for table in StoreTable.all {
                    var after: [JSONValue]? = nil
                    var n = 0
                    while true {
                        let rows = try await store.exportRows(table, after: after, limit: TransferFormat.pageSize)
                        if rows.isEmpty { break }
                        var text = ""
                        for row in rows {
                            var fields: [String: JSONValue] = [:]
                            for (column, value) in zip(table.columns, row) { fields[column.name] = value }
                            text += JSONValue.object(["table": .string(table.name), "row": .object(fields)]).canonicalText + "\n"
                        }
                        try out.write(contentsOf: Data(text.utf8))
                        n += rows.count
                        after = table.key(of: rows[rows.count - 1])
                        if !quiet { Progress.show("export: \(table.name) \(n) of \(totals[table.name] ?? n) rows") }
                    }
                    written[table.name] = n
                }
                let end = JSONValue.object(["end": .bool(true), "counts": .object(written.mapValues { .int(Int64($0)) })])
                try out.write(contentsOf: Data((end.canonicalText + "\n").utf8))
                try out.synchronize()
                return written
            }
            try FileManager.default.moveItem(atPath: partial, toPath: path)
            let rows = counts.values.reduce(0, +)
            if json {
                print(JSONValue.object([
                    "path": .string(path), "rows": .int(Int64(rows)), "counts": .object(counts.mapValues { .int(Int64($0)) }),
                ]).canonicalText)
            } else {
                Progress.done()
                print("exported \(rows) rows from \(config.database.display) to \(path)")
                print(Self.table(counts))
            }
        }
    }
}

struct Import: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Load a file written by `herald export` into the configured database, which must be empty.",
        discussion: """
            Example, SQLite to PostgreSQL: `herald export herald.jsonl -c sqlite.toml`, then \
            `herald import herald.jsonl -c postgres.toml`. Every table's row count is checked against the \
            file's end line. Exit codes: 65 malformed file, 66 unreadable, 73 database not empty.
            """)

    @OptionGroup var options: GlobalOptions
    @Argument(help: "The export file.") var path: String
    @Flag(help: "Print a JSON summary.") var json = false

    func run() async throws {
        try await CLIFailure.guarding {
            guard let reader = LineReader(path: path) else { throw CLIFailure("cannot read \(path)", code: 66) }
            let quiet = json
            let config = try options.loadConfig()
            let counts = try await options.withStore { _, store -> [String: Int] in
                let before = try await store.rowCounts()
                if let (table, n) = before.first(where: { $0.value > 0 }) {
                    throw CLIFailure("\(config.database.display) is not empty (\(table): \(n) rows); import into a new database", code: 73)
                }
                return try await Self.load(reader, into: store, quiet: quiet)
            }
            let rows = counts.values.reduce(0, +)
            if json {
                print(JSONValue.object(["rows": .int(Int64(rows)), "counts": .object(counts.mapValues { .int(Int64($0)) })]).canonicalText)
            } else {
                Progress.done()
                print("imported \(rows) rows into \(config.database.display)")
                print(Self.table(counts))
            }
        }
    }

    static func load(_ reader: LineReader, into store: any Store, quiet: Bool) async throws -> [String: Int] {
        func malformed(_ reason: String) -> CLIFailure { CLIFailure("\(reader.path):\(reader.lineNumber): \(reason)", code: 65) }
        guard let first = try reader.next(), case .object(let header)? = try? JSONValue.parse(Array(first.utf8)),
            header["format"] == .string(TransferFormat.name)
        else { throw malformed("not a herald export (the first line names no format \"\(TransferFormat.name)\")") }
        guard header["version"] == .int(TransferFormat.version) else { throw malformed("export version \(header["version"]?.canonicalText ?? "?") is not supported") }
        var pending: (table: StoreTable, rows: [[JSONValue]])? = nil
        var imported: [String: Int] = [:]
        var declared: [String: JSONValue]? = nil
        func flush() async throws {
            guard let batch = pending, !batch.rows.isEmpty else { return }
            try await store.importRows(batch.table, batch.rows)
            imported[batch.table.name, default: 0] += batch.rows.count
            pending = (batch.table, [])
            if !quiet { Progress.show("import: \(batch.table.name) \(imported[batch.table.name] ?? 0) rows (\(reader.percent)% of the file)") }
        }
        while let line = try reader.next() {
            if line.isEmpty { continue }
            guard declared == nil else { throw malformed("rows after the end line") }
            guard case .object(let item) = (try? JSONValue.parse(Array(line.utf8))) ?? .null else { throw malformed("not a JSON object") }
            if item["end"] == .bool(true) {
                guard case .object(let counts)? = item["counts"] else { throw malformed("the end line has no counts") }
                declared = counts
                continue
            }
            guard case .string(let name)? = item["table"], let table = StoreTable.named(name) else {
                throw malformed("unknown table \(item["table"]?.canonicalText ?? "(none)")")
            }
            guard case .object(let fields)? = item["row"] else { throw malformed("no row") }
            if let unknown = fields.keys.first(where: { key in !table.columns.contains { $0.name == key } }) {
                throw malformed("\(name) has no column \(unknown)")
            }
            var row: [JSONValue] = []
            for column in table.columns {
                let value = fields[column.name] ?? .null
                if let problem = StoreTable.problem(value, kind: column.kind) { throw malformed("\(name).\(column.name): \(problem)") }
                row.append(value)
            }
            if pending?.table != table { try await flush(); pending = (table, []) }
            pending?.rows.append(row)
            if (pending?.rows.count ?? 0) >= 500 { try await flush() }
        }
        try await flush()
        guard let declared else { throw CLIFailure("\(reader.path) ends without its end line: the export was cut off; nothing is complete", code: 65) }
        for table in StoreTable.all {
            let expected = declared[table.name].flatMap { if case .int(let n) = $0 { Int(n) } else { nil } } ?? 0
            guard imported[table.name, default: 0] == expected else {
                throw CLIFailure("\(table.name): the file declares \(expected) rows but holds \(imported[table.name, default: 0])", code: 65)
            }
            imported[table.name] = expected
        }
        return imported
    }
}

extension ParsableCommand {
    /// Rows per table, as the transfer commands report them.
    static func table(_ counts: [String: Int]) -> String {
        var table = TextTable("TABLE", "ROWS")
        for t in StoreTable.all { table.add(t.name, "\(counts[t.name] ?? 0)") }
        return table.render()
    }
}

/// Reads a file line by line in 1 MiB chunks (exports can be larger than memory wants).
final class LineReader {
    let path: String
    private let handle: FileHandle
    private let size: UInt64
    private var consumed: UInt64 = 0
    private var buffer: [UInt8] = []
    private var start = 0
    private var finished = false
    private(set) var lineNumber = 0

    init?(path: String) {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        self.path = path
        self.handle = handle
        size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? UInt64) ?? 0
    }

    deinit { try? handle.close() }

    var percent: Int { size == 0 ? 100 : Int(consumed * 100 / size) }

    func next() throws -> String? {
        while true {
            if let newline = buffer[start...].firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: buffer[start..<newline], as: UTF8.self)
                consumed += UInt64(newline - start + 1)
                start = newline + 1
                lineNumber += 1
                return line
            }
            if finished {
                guard start < buffer.count else { return nil }
                let line = String(decoding: buffer[start...], as: UTF8.self)
                consumed += UInt64(buffer.count - start)
                start = buffer.count
                lineNumber += 1
                return line
            }
            buffer.removeFirst(start)
            start = 0
            let chunk = try handle.read(upToCount: 1 << 20) ?? Data()
            if chunk.isEmpty { finished = true } else { buffer += chunk }
        }
    }
}
