/// The JSON body of an event notice, in the Standard Webhooks shape:
/// `{"type": "delivery.opened", "timestamp": "…", "data": {…}}`.
public enum EventPayload {
    /// What the event log row is about, joined from its delivery and message.
    public struct Context: Sendable, Equatable {
        public var channel: String?
        public var template: String?
        public var clientID: String?
        public var resendOf: String?
        public init(channel: String?, template: String?, clientID: String?, resendOf: String?) {
            self.channel = channel
            self.template = template
            self.clientID = clientID
            self.resendOf = resendOf
        }
    }

    public static func body(event: Event, topic: EventTopic, sequence: Int, context: Context) -> String {
        var data: [String: JSONValue] = [
            "event_id": .string(event.id), "sequence": .int(Int64(sequence)), "message_id": .string(event.messageID),
            "delivery_id": event.deliveryID.map(JSONValue.string) ?? .null, "event": .string(event.type),
            "state": event.state.map { .string($0.rawValue) } ?? .null, "actor": event.actor.map(JSONValue.string) ?? .null,
            "channel": context.channel.map(JSONValue.string) ?? .null,
            "template": context.template.map(JSONValue.string) ?? .null,
            "client_id": context.clientID.map(JSONValue.string) ?? .null,
            "occurred_at": .string(Timestamps.format(event.createdAt)),
        ]
        if topic == .deliveryResent { data["resend_of"] = context.resendOf.map(JSONValue.string) ?? .null }
        switch topic {
        case .deliveryOpened, .deliveryClicked:
            // Engagement details are stored as JSON ({url, user_agent}); pass them on as fields.
            if let detail = event.detail, case .object(let fields)? = try? JSONValue.parse(Array(detail.utf8)) {
                for (key, value) in fields where ["url", "user_agent"].contains(key) { data[key] = value }
            }
            data["automated"] = .bool(event.actor == EngagementActor.machine)
        default:
            data["detail"] = event.detail.map(JSONValue.string) ?? .null
        }
        return JSONValue.object([
            "type": .string(topic.rawValue), "timestamp": .string(Timestamps.format(event.createdAt)), "data": .object(data),
        ]).canonicalText
    }
}
