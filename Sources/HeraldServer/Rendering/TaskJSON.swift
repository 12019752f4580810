import HeraldCore
import HeraldDispatch

/// The JSON shape of a phone task (API and `herald tasks --json`).
public enum TaskJSON {
    /// `links`: where `dashboard_url`, the call's page, points (under `[server] public_url`).
    public static func task(_ t: PhoneTask, now: Int64, links: DashboardLinks) -> JSONValue {
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
            "escalated_at": RecordJSON.time(t.escalatedAt), "dashboard_url": .string(links.task(t.id)),
        ])
    }

    /// Reads `{"outcome": …, "note": …}`.
    public static func completion(_ json: JSONValue) throws(HeraldError) -> (PhoneTask.Outcome, String?) {
        var reader = try FieldReader(body: json)
        reader.rejectUnknown(["outcome", "note"])
        let outcome = reader.enumeration("outcome", PhoneTask.Outcome.self)
        if reader.object["outcome"] == nil || reader.object["outcome"] == .null {
            reader.fail("outcome", "required: one of " + PhoneTask.Outcome.allCases.map(\.rawValue).joined(separator: ", "))
        }
        let note = reader.object["note"] == .string("") ? nil : reader.string("note", maxLength: 2_000)
        try reader.check()
        guard let outcome else { throw .invalid(field: "outcome", "required") }
        return (outcome, note)
    }
}
