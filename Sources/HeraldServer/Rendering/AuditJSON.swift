import HeraldCore

/// The audit log in the API's shape (`GET /v1/audit`, `herald audit --json`) and its query parameters.
public enum AuditJSON {
    public static func entry(_ e: AuditEntry) -> JSONValue {
        .object([
            "id": .string(e.id), "at": .string(Timestamps.format(e.at)), "actor": .string(e.actor),
            "action": .string(e.action.rawValue), "subject": .string(e.subject), "detail": .string(e.detail),
        ])
    }

    /// Entries as CSV, with the columns of ``entry(_:)``.
    public static func csv(_ entries: [AuditEntry]) -> String {
        CSV.document(
            header: ["id", "at", "actor", "action", "subject", "detail"],
            rows: entries.map { e in
                [.text(e.id), .text(Timestamps.format(e.at)), .text(e.actor), .text(e.action.rawValue), .text(e.subject), .text(e.detail)]
            })
    }

    /// A page: its entries and, when it is full, the cursor of the next (older) one.
    public static func page(_ entries: [AuditEntry], limit: Int) -> JSONValue {
        .object([
            "items": .array(entries.map(entry)),
            "next_cursor": entries.count == limit ? entries.last.map { .string($0.id) } ?? .null : .null,
        ])
    }

    /// The kinds of thing `action` can name alone (`token` for `token.*`).
    static var kinds: [String] {
        var seen: [String] = []
        for action in AuditEntry.Action.allCases {
            let kind = String(action.rawValue.prefix { $0 != "." })
            if !seen.contains(kind) { seen.append(kind) }
        }
        return seen
    }

    /// `action`, `actor`, `subject`, `since`, `until` (RFC 3339, or a duration back from `now`:
    /// `7d`), `cursor` and `limit` (1–500, default 50); every problem named by its parameter.
    public static func query(_ parameters: [(String, String)], now: Int64) throws(HeraldError) -> AuditQuery {
        var query = AuditQuery()
        var problems: [HeraldError.FieldProblem] = []
        for (key, value) in parameters {
            // Each value is read, and refused with its reason, by its own parameter.
            let problem: String?
            if !DisplayText.isOneLine(value) {
                problem = "must be one line without control characters"
            } else {
                problem = read(key, value, into: &query, now: now)
            }
            if let problem { problems.append(.init(name: key, reason: problem)) }
        }
        if !problems.isEmpty { throw .invalid(problems) }
        return query
    }

    /// Sets `key` of `query` from `value`; why it cannot, or nil.
    private static func read(_ key: String, _ value: String, into query: inout AuditQuery, now: Int64) -> String? {
        switch key {
        case "action":
            query.action = value
            return query.actions?.isEmpty == false
                ? nil : "one of " + (kinds + AuditEntry.Action.allCases.map(\.rawValue)).joined(separator: ", ")
        case "actor": query.actor = value
        case "subject": query.subject = value
        case "since", "until":
            guard let millis = RedriveRequest.time(value, now: now) else { return "an RFC 3339 time or a duration back from now, such as 7d" }
            if key == "since" { query.since = millis } else { query.until = millis }
        case "cursor":
            guard HeraldID.isValid(value, kind: .audit) else { return "the next_cursor of the previous page" }
            query.before = value
        case "limit":
            guard let n = Int(value), (1...500).contains(n) else { return "must be an integer from 1 to 500" }
            query.limit = n
        default:
            return "unknown query parameter"
        }
        return nil
    }
}
