import Foundation

/// Reads a client file for `herald clients import`: a JSON array of client objects (each with an
/// `id`), or CSV with one row per contact (`client_id,name,tier,…,contact_email,…`). Every problem
/// is reported as `file:line: field: reason`; nothing is returned unless the whole file is valid.
public enum ClientImport {
    public static let csvColumns = [
        "client_id", "name", "tier", "timezone", "locale", "lifecycle_stage", "csm_name", "csm_email", "csm_phone",
        "contact_id", "contact_name", "contact_email", "contact_phone", "contact_locale", "opt_outs",
    ]

    public static func parse(
        _ text: String, file: String, tiers: [String: TierPlan], channels: [String: ChannelKind], now: Int64
    ) throws(HeraldError) -> [Client] {
        let trimmed = text.drop { $0 == "\u{FEFF}" || $0.isWhitespace }
        if trimmed.hasPrefix("[") { return try parseJSON(text, file: file, tiers: tiers, channels: channels, now: now) }
        return try parseCSV(text, file: file, tiers: tiers, channels: channels, now: now)
    }

    static func parseJSON(
        _ text: String, file: String, tiers: [String: TierPlan], channels: [String: ChannelKind], now: Int64
    ) throws(HeraldError) -> [Client] {
        let value: JSONValue
        do { value = try JSONValue.parse(Array(text.utf8)) } catch {
            throw .invalid(field: file, error.detail)
        }
        guard case .array(let items) = value else { throw .invalid(field: file, "must be a JSON array of clients") }
        // Line of each top-level object, for messages: count newlines before each "{" at depth 1.
        let lines = objectLines(text)
        var clients: [Client] = []
        var problems: [HeraldError.FieldProblem] = []
        for (i, item) in items.enumerated() {
            let line = i < lines.count ? lines[i] : 1
            guard case .object(var object) = item, case .string(let id)? = object["id"] else {
                problems.append(.init(name: "\(file):\(line)", reason: "each client needs a string \"id\""))
                continue
            }
            object["id"] = nil
            do {
                clients.append(try ClientJSON.parse(.object(object), id: id, tiers: tiers, channels: channels, now: now))
            } catch {
                problems += error.fields.map { .init(name: "\(file):\(line): \($0.name)", reason: $0.reason) }
            }
        }
        checkDuplicates(clients, file: file, problems: &problems)
        if !problems.isEmpty { throw .invalid(problems) }
        return clients
    }

    static func parseCSV(
        _ text: String, file: String, tiers: [String: TierPlan], channels: [String: ChannelKind], now: Int64
    ) throws(HeraldError) -> [Client] {
        let rows = CSVReader.rows(text)
        guard let header = rows.first else { throw .invalid(field: file, "the file is empty") }
        let names = header.fields.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        var problems: [HeraldError.FieldProblem] = []
        for name in names where !csvColumns.contains(name) {
            problems.append(.init(name: "\(file):\(header.line)", reason: "unknown column '\(name)' (known: \(csvColumns.joined(separator: ", ")))"))
        }
        for required in ["client_id", "name", "tier"] where !names.contains(required) {
            problems.append(.init(name: "\(file):\(header.line)", reason: "missing column '\(required)'"))
        }
        if !problems.isEmpty { throw .invalid(problems) }

        // Group rows by client, keeping the line of each row for messages.
        var order: [String] = []
        var groups: [String: [(line: Int, values: [String: String])]] = [:]
        for row in rows.dropFirst() where !row.fields.allSatisfy({ $0.isEmpty }) {
            var values: [String: String] = [:]
            for (i, name) in names.enumerated() where i < row.fields.count {
                let v = row.fields[i].trimmingCharacters(in: .whitespaces)
                if !v.isEmpty { values[name] = v }
            }
            if row.fields.count != names.count {
                problems.append(.init(name: "\(file):\(row.line)", reason: "has \(row.fields.count) fields, the header has \(names.count)"))
                continue
            }
            guard let id = values["client_id"] else {
                problems.append(.init(name: "\(file):\(row.line): client_id", reason: "required"))
                continue
            }
            if groups[id] == nil { order.append(id) }
            groups[id, default: []].append((row.line, values))
        }
        var clients: [Client] = []
        for id in order {
            let group = groups[id] ?? []
            let first = group[0]
            var object: [String: JSONValue] = [:]
            for key in ["name", "tier", "timezone", "locale", "lifecycle_stage"] {
                if let v = first.values[key] { object[key] = .string(v) }
            }
            if let csmName = first.values["csm_name"] {
                var csm: [String: JSONValue] = ["name": .string(csmName)]
                if let v = first.values["csm_email"] { csm["email"] = .string(v) }
                if let v = first.values["csm_phone"] { csm["phone"] = .string(v) }
                object["csm"] = .object(csm)
            }
            var contacts: [JSONValue] = []
            var contactLines: [Int] = []
            for row in group where ["contact_id", "contact_name", "contact_email", "contact_phone"].contains(where: { row.values[$0] != nil }) {
                var c: [String: JSONValue] = [:]
                for (column, key) in [("contact_id", "id"), ("contact_name", "name"), ("contact_email", "email"),
                                      ("contact_phone", "phone"), ("contact_locale", "locale")] {
                    if let v = row.values[column] { c[key] = .string(v) }
                }
                if let v = row.values["opt_outs"] {
                    c["opt_outs"] = .array(v.split(separator: ";").map { .string(String($0).trimmingCharacters(in: .whitespaces)) })
                }
                contacts.append(.object(c))
                contactLines.append(row.line)
            }
            object["contacts"] = .array(contacts)
            do {
                clients.append(try ClientJSON.parse(.object(object), id: id, tiers: tiers, channels: channels, now: now))
            } catch {
                for field in error.fields {
                    // contacts[3].email → the line of the fourth contact row; anything else → the client's first row.
                    var line = first.line
                    if field.name.hasPrefix("contacts["), let close = field.name.firstIndex(of: "]"),
                        let index = Int(field.name[field.name.index(field.name.startIndex, offsetBy: 9)..<close]),
                        index < contactLines.count
                    {
                        line = contactLines[index]
                    }
                    problems.append(.init(name: "\(file):\(line): \(csvName(field.name))", reason: field.reason))
                }
            }
        }
        if !problems.isEmpty { throw .invalid(problems) }
        return clients
    }

    /// `contacts[2].email` → `contact_email`, `csm.phone` → `csm_phone`: the CSV column the user edits.
    static func csvName(_ field: String) -> String {
        if field.hasPrefix("contacts["), let dot = field.firstIndex(of: ".") {
            let key = String(field[field.index(after: dot)...])
            return key == "opt_outs" || key.hasPrefix("opt_outs[") ? "opt_outs" : "contact_" + key
        }
        if field.hasPrefix("csm.") { return "csm_" + field.dropFirst(4) }
        return field
    }

    static func checkDuplicates(_ clients: [Client], file: String, problems: inout [HeraldError.FieldProblem]) {
        var seen: Set<String> = []
        for c in clients where !seen.insert(c.id).inserted {
            problems.append(.init(name: file, reason: "client '\(c.id)' appears twice"))
        }
    }

    static func objectLines(_ text: String) -> [Int] {
        var lines: [Int] = []
        var line = 1
        var depth = 0
        var inString = false
        var escaped = false
        for c in text.utf8 {
            if c == 10 { line += 1 }
            if inString {
                if escaped { escaped = false } else if c == 92 { escaped = true } else if c == 34 { inString = false }
                continue
            }
            switch c {
            case 34: inString = true
            case 123, 91:
                if c == 123 && depth == 1 { lines.append(line) }
                depth += 1
            case 125, 93: depth -= 1
            default: break
            }
        }
        return lines
    }
}

/// RFC 4180 CSV: quoted fields with doubled quotes, CRLF or LF line ends; rows know their line.
enum CSVReader {
    struct Row {
        var line: Int
        var fields: [String]
    }

    static func rows(_ text: String) -> [Row] {
        var rows: [Row] = []
        var fields: [String] = []
        var field = ""
        var inQuotes = false
        var line = 1
        var rowLine = 1
        var chars = Array(text.unicodeScalars)
        if chars.first == "\u{FEFF}" { chars.removeFirst() }
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if inQuotes {
                if c == "\"" {
                    if i + 1 < chars.count && chars[i + 1] == "\"" {
                        field.unicodeScalars.append("\"")
                        i += 1
                    } else {
                        inQuotes = false
                    }
                } else {
                    if c == "\n" { line += 1 }
                    field.unicodeScalars.append(c)
                }
            } else if c == "\"" {
                inQuotes = true
            } else if c == "," {
                fields.append(field)
                field = ""
            } else if c == "\n" || c == "\r" {
                if c == "\r" && i + 1 < chars.count && chars[i + 1] == "\n" { i += 1 }
                fields.append(field)
                rows.append(Row(line: rowLine, fields: fields))
                fields = []
                field = ""
                line += 1
                rowLine = line
            } else {
                field.unicodeScalars.append(c)
            }
            i += 1
        }
        if !field.isEmpty || !fields.isEmpty {
            fields.append(field)
            rows.append(Row(line: rowLine, fields: fields))
        }
        return rows
    }
}
