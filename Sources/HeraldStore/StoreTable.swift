import HeraldCore

/// One table as `herald export` and `herald import` move it between backends: its columns with
/// their kinds, and the key its rows are read in order of. The list is the schema both backends
/// share (SQLite's v22, PostgreSQL's v6); state only one process needs (the relay position,
/// rate-limit slots) and what is derived from the rows (SQLite's per-state delivery counts) is not moved.
/// A column added later reads as null from an older export (`deliveries.engaged`, added with v17/v2;
/// `messages.actor`, v19/v3 — such messages keep the enqueue events they were exported with;
/// `messages.tier`, v20/v4 — stats then use the client's tier today; `suppressions.actor`, v22/v6). A table added
/// later (`audit_log`, v25/v9) is simply absent from an older export.
public struct StoreTable: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case text, integer, boolean
    }

    public var name: String
    public var columns: [(name: String, kind: Kind)]
    public var key: [String]

    public static func == (a: StoreTable, b: StoreTable) -> Bool { a.name == b.name }

    init(_ name: String, key: [String] = ["id"], _ spec: String) {
        self.name = name
        self.key = key
        // "name:t, count:i, flag:b"
        columns = spec.split(separator: ",").map { part in
            let pieces = part.split(separator: ":").map { $0.filter { !$0.isWhitespace } }
            let kind: Kind = pieces.count > 1 && pieces[1] == "i" ? .integer : pieces.count > 1 && pieces[1] == "b" ? .boolean : .text
            return (String(pieces[0]), kind)
        }
    }

    public var columnList: String { columns.map(\.name).joined(separator: ", ") }

    /// The key values of an exported row (in ``columns`` order): where the next page starts.
    public func key(of row: [JSONValue]) -> [JSONValue] {
        key.compactMap { k in columns.firstIndex { $0.name == k }.map { row[$0] } }
    }
    public var keyList: String { key.joined(separator: ", ") }

    /// In an order that satisfies every foreign key (messages before deliveries, …).
    public static let all: [StoreTable] = [
        StoreTable("messages", """
            id, idempotency_key, fingerprint, client_id, template, subject, text, html, data, locale, priority, category,
            send_at:i, expires_at:i, created_at:i, reply_to, tracking:b, mentions, resend_count:i, last_resent_at:i, actor,
            tier
            """),
        StoreTable("deliveries", """
            id, message_id, channel, destination, state, attempts:i, due_at:i, expires_at:i, lease_until:i, lease_owner,
            last_error, provider_id, created_at:i, updated_at:i, purpose, fallback, segments:i, resend_of, engaged
            """),
        StoreTable("attempts", """
            id, delivery_id, number:i, started_at:i, duration_ms:i, status_code:i, outcome, error, provider_id
            """),
        StoreTable("events", "id, message_id, delivery_id, type, state, detail, actor, created_at:i"),
        StoreTable("clients", """
            id, name, tier, timezone, locale, lifecycle_stage, csm, bots, created_at:i, updated_at:i, endpoints
            """),
        StoreTable("contacts", key: ["client_id", "id"], "client_id, id, name, email, phone, locale, opt_outs"),
        StoreTable("suppressions", key: ["address", "category"], "address, category, reason, source, delivery_id, created_at:i, actor"),
        StoreTable("api_tokens", "id, name, hash, prefix, scopes, created_at:i, revoked_at:i, rate_limit:i, csm, expires_at:i, last_used_at:i, created_by"),
        StoreTable("escalations", """
            id, message_id, due_at:i, unless_state, channel, destination, state, created_at:i, settled_at:i
            """),
        StoreTable("tasks", """
            id, delivery_id, message_id, channel, client_id, client_name, assignee, assignee_name, contact_name, phone,
            reason, talking_points, due_at:i, attempt:i, status, outcome, note, created_at:i, completed_at:i,
            completed_by, escalated_at:i
            """),
        StoreTable("subscriptions", "id, name, url, topics, secret, allow_private:b, created_at:i"),
        StoreTable("notices", """
            id, subscription_id, event_id, topic, delivery_id, sequence:i, payload, state, attempts:i, due_at:i,
            lease_until:i, last_error, created_at:i, updated_at:i
            """),
        StoreTable("audit_log", "id, at:i, actor, action, subject, detail"),
    ]

    public static func named(_ name: String) -> StoreTable? { all.first { $0.name == name } }

    /// Checks one imported value against its column's kind; the reason when it does not fit.
    public static func problem(_ value: JSONValue, kind: Kind) -> String? {
        switch (value, kind) {
        case (.null, _), (.string, .text), (.int, .integer), (.bool, .boolean): nil
        default: "expected \(kind) or null, found \(value.typeName)"
        }
    }
}
