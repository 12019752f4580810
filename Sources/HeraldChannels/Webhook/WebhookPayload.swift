import HeraldCore

/// The JSON body Herald POSTs for a message delivery, in the Standard Webhooks envelope
/// (`type`, `timestamp`, `data`).
public enum WebhookPayload {
    public static let eventType = "message.delivery"

    /// The body bytes. `message.data` is already canonical JSON text and is embedded as is.
    public static func body(for claimed: ClaimedDelivery, content: RenderedContent, timestamp: Int64) -> [UInt8] {
        let d = claimed.delivery
        let m = claimed.message
        // An escalation tells the receiver (a CRM, a ticketing tool) that nobody engaged in time.
        let type = d.purpose == "escalation" ? "message.escalation" : eventType
        var out = "{\"type\":\"\(type)\",\"timestamp\":"
        JSONValue.writeString(Timestamps.format(timestamp), to: &out)
        out += ",\"data\":{\"delivery_id\":"
        JSONValue.writeString(d.id, to: &out)
        out += ",\"message_id\":"
        JSONValue.writeString(m.id, to: &out)
        out += ",\"channel\":"
        JSONValue.writeString(d.channel, to: &out)
        out += ",\"attempt\":\(d.attempts)"
        for (key, value) in [
            ("client_id", m.clientID), ("template", m.template), ("locale", m.locale), ("subject", content.subject),
            ("text", content.text), ("html", content.html),
        ] {
            guard let value else { continue }
            out += ",\"\(key)\":"
            JSONValue.writeString(value, to: &out)
        }
        out += ",\"data\":" + m.data
        out += ",\"priority\":\"\(m.priority.rawValue)\",\"category\":\"\(m.category.rawValue)\""
        out += ",\"created_at\":"
        JSONValue.writeString(Timestamps.format(m.createdAt), to: &out)
        out += "}}"
        return Array(out.utf8)
    }
}
