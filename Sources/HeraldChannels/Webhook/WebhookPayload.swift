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
        var out: [UInt8] = []
        out.reserveCapacity(384 + m.data.utf8.count + (content.text?.utf8.count ?? 0) + (content.html?.utf8.count ?? 0))
        func raw(_ text: String) { out.append(contentsOf: text.utf8) }
        raw("{\"type\":\"\(type)\",\"timestamp\":")
        JSONValue.writeString(Timestamps.format(timestamp), to: &out)
        raw(",\"data\":{\"delivery_id\":")
        JSONValue.writeString(d.id, to: &out)
        raw(",\"message_id\":")
        JSONValue.writeString(m.id, to: &out)
        raw(",\"channel\":")
        JSONValue.writeString(d.channel, to: &out)
        raw(",\"attempt\":\(d.attempts)")
        for (key, value) in [
            ("client_id", m.clientID), ("template", m.template), ("locale", m.locale), ("subject", content.subject),
            ("text", content.text), ("html", content.html),
        ] {
            guard let value else { continue }
            raw(",\"\(key)\":")
            JSONValue.writeString(value, to: &out)
        }
        raw(",\"data\":")
        raw(m.data)
        raw(",\"priority\":\"\(m.priority.rawValue)\",\"category\":\"\(m.category.rawValue)\"")
        raw(",\"created_at\":")
        JSONValue.writeString(Timestamps.format(m.createdAt), to: &out)
        raw("}}")
        return out
    }
}
