/// The column lists every backend selects and decodes, in one place, so the schemas of SQLite and
/// PostgreSQL keep the same names and each query selects what its decoder reads.
public enum StoreColumns {
    public static let message = """
        id, idempotency_key, client_id, template, subject, text, html, data, locale, priority, category, \
        send_at, expires_at, reply_to, tracking, mentions, resend_count, last_resent_at, created_at, actor, tier
        """
    public static func message(prefix: String) -> String { prefixed(message, with: prefix) }
    public static func delivery(prefix: String) -> String { prefixed(delivery, with: prefix) }

    /// `a, b` → `p.a, p.b`.
    static func prefixed(_ columns: String, with prefix: String) -> String {
        columns.split(separator: ",").map { prefix + $0.filter { !$0.isWhitespace } }.joined(separator: ", ")
    }
    public static let delivery = """
        id, message_id, channel, destination, state, attempts, due_at, expires_at, last_error, provider_id, \
        purpose, segments, resend_of, created_at, updated_at
        """
    public static let attempt = "id, delivery_id, number, started_at, duration_ms, status_code, outcome, error, provider_id"
    public static let event = "id, message_id, delivery_id, type, state, detail, actor, created_at"
    public static let task = """
        id, delivery_id, message_id, channel, client_id, client_name, assignee, assignee_name, contact_name, phone, \
        reason, talking_points, due_at, attempt, status, outcome, note, created_at, completed_at, completed_by, \
        escalated_at
        """
    public static let notice = """
        n.id, n.subscription_id, n.event_id, n.topic, n.delivery_id, n.sequence, n.payload, n.state, n.attempts, \
        n.due_at, n.last_error, n.created_at, n.updated_at
        """
    public static let token = "id, name, prefix, scopes, created_at, revoked_at, rate_limit, csm, expires_at, last_used_at, created_by"
}
