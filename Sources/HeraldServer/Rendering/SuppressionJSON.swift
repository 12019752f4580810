import HeraldCore

/// JSON of suppression entries (API and `herald suppressions --json`).
public enum SuppressionJSON {
    public static func entry(_ s: Suppression) -> JSONValue {
        .object([
            "address": .string(s.address), "category": .string(s.category), "source": .string(s.source),
            "reason": .string(s.reason), "delivery_id": RecordJSON.optional(s.deliveryID), "actor": RecordJSON.optional(s.actor),
            "created_at": RecordJSON.time(s.createdAt),
        ])
    }

    /// A page: the entries and the cursor of the next page (null on the last).
    public static func page(_ entries: [Suppression], limit: Int) -> JSONValue {
        .object([
            "items": .array(entries.map(entry)),
            "next_cursor": entries.count == limit ? entries.last.map { .string(SuppressionQuery.cursor(after: $0)) } ?? .null : .null,
        ])
    }

    public static func removed(_ entries: [Suppression]) -> JSONValue {
        .object(["removed": .array(entries.map(entry))])
    }

    /// Reads the list filters shared by `GET /v1/suppressions` and the CLI: `address`, `domain`,
    /// `source`, `category`, `cursor`, `limit` (1–1000, default 100).
    public static func query(_ parameters: [(String, String)]) throws(HeraldError) -> SuppressionQuery {
        var query = SuppressionQuery()
        var problems: [HeraldError.FieldProblem] = []
        for (key, value) in parameters {
            switch key {
            case "address": query.addresses = [Suppression.key(value)]
            case "domain":
                if value.isEmpty || value.contains("@") {
                    problems.append(.init(name: key, reason: "a domain such as acme.com, without '@'"))
                }
                query.domain = value.lowercased()
            case "source":
                if Suppression.Source(rawValue: value) == nil {
                    problems.append(.init(name: key, reason: "must be one of: " + Suppression.Source.allCases.map(\.rawValue).joined(separator: ", ")))
                }
                query.source = value
            case "category":
                if !Suppression.isCategory(value) { problems.append(.init(name: key, reason: "must be " + Suppression.categoriesText)) }
                query.category = value
            case "cursor":
                guard let after = SuppressionQuery.parseCursor(value) else {
                    problems.append(.init(name: key, reason: "the next_cursor of the previous page"))
                    continue
                }
                query.after = after
            case "limit":
                guard let n = Int(value), (1...1_000).contains(n) else {
                    problems.append(.init(name: key, reason: "must be an integer from 1 to 1000"))
                    continue
                }
                query.limit = n
            default:
                problems.append(.init(name: key, reason: "unknown query parameter"))
            }
        }
        if !problems.isEmpty { throw .invalid(problems) }
        return query
    }
}
