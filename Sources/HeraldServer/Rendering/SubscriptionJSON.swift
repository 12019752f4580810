import HeraldCore

/// JSON of subscriptions and their notices (API and `herald subscriptions --json`). Secrets appear
/// only in the answer to the request that created them.
public enum SubscriptionJSON {
    public static func subscription(_ s: Subscription, counts: NoticeCounts?, secret: Bool = false) -> JSONValue {
        var fields: [String: JSONValue] = [
            "id": .string(s.id), "name": .string(s.name), "url": .string(s.url), "source": .string(s.source.rawValue),
            "types": .array(s.topics.map(\.rawValue).sorted().map(JSONValue.string)),
            "created_at": s.source == .api ? RecordJSON.time(s.createdAt) : .null,
        ]
        if let counts {
            fields["notices"] = .object([
                "pending": .int(Int64(counts.pending)), "delivered": .int(Int64(counts.delivered)), "dead": .int(Int64(counts.dead)),
            ])
        }
        if secret { fields["secret"] = .string(s.secret) }
        return .object(fields)
    }

    public static func notice(_ n: EventNotice) -> JSONValue {
        .object([
            "id": .string(n.id), "type": .string(n.topic.rawValue), "event_id": .string(n.eventID),
            "delivery_id": .string(n.deliveryID), "sequence": .int(Int64(n.sequence)), "state": .string(n.state.rawValue),
            "attempts": .int(Int64(n.attempts)), "last_error": RecordJSON.optional(n.lastError),
            "created_at": RecordJSON.time(n.createdAt), "updated_at": RecordJSON.time(n.updatedAt),
            "payload": (try? JSONValue.parse(Array(n.payload.utf8))) ?? .string(n.payload),
        ])
    }
}
