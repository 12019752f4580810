import TOMLKit

/// Reads typed keys from one TOML table, collecting `file:line: [table] key: reason` problems
/// (and unknown keys, which are usually typos) instead of stopping at the first.
struct TOMLReader {
    let file: String
    let lines: [Substring]
    let table: TOMLTable
    let tableName: String?
    /// For a sub-table: the table it is in and its key there (where an inline table's problems point).
    private var parent: (name: String?, key: String)?
    var problems: [String]
    private var used: Set<String> = []

    init(file: String, text: String, table: TOMLTable, tableName: String? = nil, problems: [String] = []) {
        self.file = file
        self.lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        self.table = table
        self.tableName = tableName
        self.problems = problems
    }

    /// A reader for the sub-table `name` (empty when absent); its problems are merged back by ``merge(_:)``.
    mutating func child(_ name: String) -> TOMLReader {
        used.insert(name)
        let sub: TOMLTable
        if let value = table[name] {
            if let t = value.table { sub = t } else {
                fail(name, "must be a table ([\(name)])")
                sub = TOMLTable()
            }
        } else {
            sub = TOMLTable()
        }
        var child = TOMLReader(
            file: file, text: lines.joined(separator: "\n"), table: sub, tableName: tableName.map { "\($0).\(name)" } ?? name)
        child.parent = (tableName, name)
        return child
    }

    mutating func merge(_ child: TOMLReader) {
        var c = child
        c.rejectUnknownKeys()
        problems += c.problems
    }

    mutating func fail(_ key: String, _ reason: String) {
        let label = tableName.map { "[\($0)] \(key)" } ?? key
        problems.append("\(file):\(line(of: key)): \(label): \(reason)")
    }

    mutating func string(_ key: String) -> String? {
        used.insert(key)
        guard let value = table[key] else { return nil }
        if let s = value.string { return s }
        fail(key, "must be a string")
        return nil
    }

    mutating func int(_ key: String, range: ClosedRange<Int>) -> Int? {
        used.insert(key)
        guard let value = table[key] else { return nil }
        guard let i = value.int else {
            fail(key, "must be an integer")
            return nil
        }
        guard range.contains(i) else {
            fail(key, "must be between \(range.lowerBound) and \(range.upperBound)")
            return nil
        }
        return i
    }

    mutating func bool(_ key: String) -> Bool? {
        used.insert(key)
        guard let value = table[key] else { return nil }
        if let b = value.bool { return b }
        fail(key, "must be true or false")
        return nil
    }

    /// A duration (`"5s"`, `"250ms"`, `"72h"`, or an integer of seconds), as milliseconds.
    mutating func duration(_ key: String, minimum: Int64 = 0) -> Int64? {
        used.insert(key)
        guard let value = table[key] else { return nil }
        let millis: Int64?
        if let s = value.string { millis = DurationText.milliseconds(s) } else if let i = value.int {
            millis = i >= 0 ? Int64(i) * 1000 : nil
        } else {
            millis = nil
        }
        guard let millis else {
            fail(key, "must be a duration such as \"500ms\", \"30s\", \"5m\" or \"72h\"")
            return nil
        }
        guard millis >= minimum else {
            fail(key, "must be at least \(minimum) ms")
            return nil
        }
        return millis
    }

    /// An array of strings.
    mutating func strings(_ key: String) -> [String]? {
        used.insert(key)
        guard let value = table[key] else { return nil }
        guard let array = value.array else {
            fail(key, "must be an array of strings, e.g. [\"email\"]")
            return nil
        }
        var out: [String] = []
        for item in array {
            guard let s = item.string else {
                fail(key, "must be an array of strings, e.g. [\"email\"]")
                return nil
            }
            out.append(s)
        }
        return out
    }

    /// Names of the sub-tables of this table (e.g. each `[tiers.NAME]`).
    mutating func childNames(_ key: String) -> [String] {
        used.insert(key)
        guard let value = table[key] else { return [] }
        guard let sub = value.table else {
            fail(key, "must be a table of tables ([\(key).NAME])")
            return []
        }
        return sub.keys.sorted()
    }

    /// A reader for `[parent.name]`.
    func grandchild(_ parent: String, _ name: String) -> TOMLReader {
        let sub = table[parent]?.table?[name]?.table ?? TOMLTable()
        return TOMLReader(file: file, text: lines.joined(separator: "\n"), table: sub, tableName: "\(parent).\(name)")
    }

    mutating func rejectUnknownKeys() {
        for key in table.keys.sorted() where !used.contains(key) {
            fail(key, "unknown key")
        }
    }

    /// The 1-based line where `key` is assigned inside this reader's table: under its `[header]`,
    /// else (an inline table, `resend = { … }`) where the table itself is assigned; 1 if not found.
    private func line(of key: String) -> Int {
        if let found = Self.line(of: key, in: tableName, lines: lines) { return found }
        if let tableName, let i = lines.firstIndex(where: { $0.hasPrefix("[\(tableName)]") }) { return i + 1 }
        if let parent, let found = Self.line(of: parent.key, in: parent.name, lines: lines) { return found }
        return 1
    }

    private static func line(of key: String, in table: String?, lines: [Substring]) -> Int? {
        var inTable = table == nil
        for (i, raw) in lines.enumerated() {
            let line = raw.trimmingPrefix(while: { $0 == " " || $0 == "\t" })
            if line.hasPrefix("[") {
                inTable = table.map { line.hasPrefix("[\($0)]") } ?? false
                continue
            }
            if inTable, line.hasPrefix(key), line.dropFirst(key.count).first(where: { $0 != " " }) == "=" {
                return i + 1
            }
        }
        return nil
    }
}

extension Substring {
    func trimmingPrefix(while predicate: (Character) -> Bool) -> Substring {
        var s = self
        while let c = s.first, predicate(c) { s = s.dropFirst() }
        return s
    }
}
