import HeraldCore

/// The JSON shape of a phone task (API and `herald tasks --json`).
public enum TaskJSON {
    public static func task(_ t: PhoneTask, now: Int64) -> JSONValue {
        .object([
            "id": .string(t.id), "status": .string(t.status.rawValue), "overdue": .bool(t.status == .open && t.dueAt < now),
            "outcome": RecordJSON.optional(t.outcome?.rawValue), "note": RecordJSON.optional(t.note),
            "channel": .string(t.channel), "message_id": .string(t.messageID), "delivery_id": .string(t.deliveryID),
            "client": t.clientID.map { .object(["id": .string($0), "name": RecordJSON.optional(t.clientName)]) } ?? .null,
            "assignee": t.assignee.map { .object(["id": .string($0), "name": RecordJSON.optional(t.assigneeName)]) } ?? .null,
            "contact": .object(["name": RecordJSON.optional(t.contactName), "phone": .string(t.phone)]),
            "reason": .string(t.reason), "talking_points": .string(t.talkingPoints), "attempt": .int(Int64(t.attempt)),
            "due_at": RecordJSON.time(t.dueAt), "created_at": RecordJSON.time(t.createdAt),
            "completed_at": RecordJSON.time(t.completedAt), "completed_by": RecordJSON.optional(t.completedBy),
            "escalated_at": RecordJSON.time(t.escalatedAt),
        ])
    }

    /// Reads `{"outcome": …, "note": …}`.
    public static func completion(_ json: JSONValue) throws(HeraldError) -> (PhoneTask.Outcome, String?) {
        guard case .object(let fields) = json else { throw .invalid(field: "(body)", "must be a JSON object") }
        if let unknown = fields.keys.sorted().first(where: { !["outcome", "note"].contains($0) }) {
            throw .invalid(field: unknown, "unknown field")
        }
        let choices = PhoneTask.Outcome.allCases.map(\.rawValue).joined(separator: ", ")
        guard case .string(let text)? = fields["outcome"] else { throw .invalid(field: "outcome", "required: one of \(choices)") }
        guard let outcome = PhoneTask.Outcome(rawValue: text) else { throw .invalid(field: "outcome", "must be one of \(choices)") }
        var note: String? = nil
        switch fields["note"] {
        case nil, .null?: break
        case .string(let text)?:
            guard text.count <= 2_000 else { throw .invalid(field: "note", "at most 2000 characters") }
            note = text.isEmpty ? nil : text
        default: throw .invalid(field: "note", "must be a string")
        }
        return (outcome, note)
    }
}
