import HeraldCore
import HeraldStore

/// JSON shapes of stored records as the API returns them (snake_case, RFC 3339 times).
public enum RecordJSON {
    public static func time(_ millis: Int64?) -> JSONValue {
        millis.map { .string(Timestamps.format($0)) } ?? .null
    }

    public static func optional(_ text: String?) -> JSONValue {
        text.map(JSONValue.string) ?? .null
    }

    public static func deliverySummary(_ d: Delivery) -> JSONValue {
        .object([
            "id": .string(d.id), "channel": .string(d.channel), "destination": .string(DestinationRules.redacted(d.destination)),
            "status": .string(d.state.rawValue),
        ])
    }

    public static func delivery(_ d: Delivery, attempts: [Attempt]) -> JSONValue {
        .object([
            "id": .string(d.id), "channel": .string(d.channel), "destination": .string(DestinationRules.redacted(d.destination)),
            "status": .string(d.state.rawValue), "attempt_count": .int(Int64(d.attempts)),
            "next_attempt_at": DeliveryState.claimable.contains(d.state) ? time(d.dueAt) : .null,
            "expires_at": time(d.expiresAt), "last_error": optional(d.lastError),
            "provider_id": optional(d.providerID), "created_at": time(d.createdAt), "updated_at": time(d.updatedAt),
            "segments": d.segments.map { .int(Int64($0)) } ?? .null,
            "purpose": optional(d.purpose), "resend_of": optional(d.resendOf),
            "attempts": .array(attempts.map(attempt)),
        ])
    }

    public static func attempt(_ a: Attempt) -> JSONValue {
        .object([
            "id": .string(a.id), "number": .int(Int64(a.number)), "started_at": time(a.startedAt),
            "duration_ms": .int(a.durationMillis), "status_code": a.statusCode.map { .int(Int64($0)) } ?? .null,
            "outcome": .string(a.outcome), "error": optional(a.error), "provider_id": optional(a.providerID),
        ])
    }

    public static func event(_ e: Event) -> JSONValue {
        .object([
            "id": .string(e.id), "delivery_id": optional(e.deliveryID), "type": .string(e.type),
            "status": optional(e.state?.rawValue), "detail": optional(e.detail), "actor": optional(e.actor),
            "at": time(e.createdAt),
        ])
    }

    public static func messageFields(_ m: Message) -> [String: JSONValue] {
        var data: JSONValue = .object([:])
        if let parsed = try? JSONValue.parse(Array(m.data.utf8)) { data = parsed }
        return [
            "id": .string(m.id), "idempotency_key": optional(m.idempotencyKey), "client_id": optional(m.clientID),
            "tier": optional(m.tier),
            "template": optional(m.template), "subject": optional(m.subject), "locale": optional(m.locale),
            "priority": .string(m.priority.rawValue), "category": .string(m.category.rawValue),
            "send_at": time(m.sendAt), "expires_at": time(m.expiresAt), "created_at": time(m.createdAt),
            "resend_count": .int(Int64(m.resendCount)), "last_resent_at": time(m.lastResentAt),
            "data": data,
        ]
    }

    /// The enqueue answer: id and one summary per delivery.
    public static func accepted(_ m: Message, _ deliveries: [Delivery]) -> JSONValue {
        .object(acceptedFields(m, deliveries))
    }

    /// The fields of ``accepted(_:_:)`` (a batch adds its index and status to them).
    public static func acceptedFields(_ m: Message, _ deliveries: [Delivery]) -> [String: JSONValue] {
        [
            "id": .string(m.id), "idempotency_key": optional(m.idempotencyKey),
            "deliveries": .array(deliveries.map(deliverySummary)),
        ]
    }

    /// The answer to deleting a client, from `DELETE /v1/clients/{id}` and `herald clients delete --json`.
    public static func deletion(_ d: ClientDeletion) -> JSONValue {
        .object([
            "id": .string(d.clientID), "deleted": .bool(true),
            "messages_stopped": .array(d.messages.map(JSONValue.string)),
            "deliveries_cancelled": .array(d.deliveriesCancelled.map(JSONValue.string)),
            "escalations_cancelled": .int(Int64(d.escalationsCancelled)),
            "tasks_cancelled": .array(d.tasksCancelled.map(JSONValue.string)),
        ])
    }

    /// The answer to a cancel, from `POST /v1/messages/{id}/cancel` and `herald cancel --json`.
    public static func cancel(_ result: CancelResult) -> JSONValue {
        .object([
            "cancelled": .array(result.cancelled.map(JSONValue.string)),
            "escalations_cancelled": .int(Int64(result.escalationsCancelled)),
            "tasks_cancelled": .array(result.tasksCancelled.map(JSONValue.string)), "message": detail(result.detail),
        ])
    }

    public static func detail(_ detail: MessageDetail) -> JSONValue {
        var fields = messageFields(detail.message)
        fields["text"] = optional(detail.message.text)
        fields["html"] = optional(detail.message.html)
        fields["reply_to"] = optional(detail.message.replyTo)
        fields["mentions"] = .array(detail.message.mentions.map(JSONValue.string))
        fields["deliveries"] = .array(detail.deliveries.map { d in
            delivery(d, attempts: detail.attempts.filter { $0.deliveryID == d.id })
        })
        fields["events"] = .array(detail.events.map(event))
        return .object(fields)
    }

    public static func listItem(_ m: Message, _ deliveries: [Delivery]) -> JSONValue {
        var fields = messageFields(m)
        fields["deliveries"] = .array(deliveries.map { d in
            .object([
                "id": .string(d.id), "channel": .string(d.channel), "destination": .string(DestinationRules.redacted(d.destination)),
                "status": .string(d.state.rawValue), "attempt_count": .int(Int64(d.attempts)),
                "last_error": optional(d.lastError), "updated_at": time(d.updatedAt),
            ])
        })
        return .object(fields)
    }
}
