import HeraldCore
import HeraldStore
import Hummingbird

/// Parses `GET /v1/messages` query parameters, refusing unknown ones (a typo must not silently widen a filter).
enum MessageListQuery {
    static let known: Set<String> = [
        "client_id", "template", "status", "channel", "since", "cursor", "limit", "tier", "opened", "clicked", "older_than",
        "format",
    ]

    static func parse(_ parameters: Parameters, now: Int64 = Timestamps.now()) throws -> MessageQuery {
        var query = MessageQuery()
        var problems: [HeraldError.FieldProblem] = []
        for (key, _) in parameters where !known.contains(String(key)) {
            problems.append(.init(name: String(key), reason: "unknown query parameter"))
        }
        query.clientID = parameters.get("client_id")
        query.template = parameters.get("template")
        query.channel = parameters.get("channel")
        query.tier = parameters.get("tier")
        for (key, yes, no) in [("opened", MessageQuery.Engagement.opened, MessageQuery.Engagement.unopened),
                               ("clicked", .clicked, .unclicked)] {
            switch parameters.get(key) {
            case nil: continue
            case "true": query.engagement = yes
            case "false": query.engagement = no
            default: problems.append(.init(name: key, reason: "must be true or false"))
            }
        }
        if parameters.get("opened") != nil && parameters.get("clicked") != nil {
            problems.append(.init(name: "clicked", reason: "give opened or clicked, not both"))
        }
        if let age = parameters.get("older_than") {
            if let millis = DurationText.milliseconds(age) { query.before = now - millis } else {
                problems.append(.init(name: "older_than", reason: "must be a duration such as 48h"))
            }
        }
        if let status = parameters.get("status") {
            if let state = DeliveryState(rawValue: status) { query.state = state } else {
                problems.append(.init(name: "status", reason: "must be one of: " + DeliveryState.allCases.map(\.rawValue).joined(separator: ", ")))
            }
        }
        if let since = parameters.get("since") {
            if let millis = Timestamps.parse(since) { query.since = millis } else {
                problems.append(.init(name: "since", reason: "must be an RFC 3339 timestamp"))
            }
        }
        if let cursor = parameters.get("cursor") {
            if HeraldID.isValid(cursor, kind: .message) { query.cursor = cursor } else {
                problems.append(.init(name: "cursor", reason: "is not a cursor this API returned"))
            }
        }
        if let limit = parameters.get("limit") {
            if let n = Int(limit), (1...500).contains(n) { query.limit = n } else {
                problems.append(.init(name: "limit", reason: "must be an integer from 1 to 500"))
            }
        }
        if let format = parameters.get("format"), format != "json" && format != "csv" {
            problems.append(.init(name: "format", reason: "must be json or csv"))
        }
        if !problems.isEmpty { throw HeraldError.invalid(problems) }
        return query
    }
}
