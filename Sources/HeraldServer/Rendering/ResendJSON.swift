import HeraldCore
import HeraldDispatch

/// JSON of resends (API and `herald resend --json`).
public enum ResendJSON {
    /// A plan: with `made`, the deliveries created; without, what a dry run would create.
    public static func plan(_ plan: ResendPlan, made: [Delivery]? = nil) -> JSONValue {
        let deliveries: [JSONValue]
        if let made {
            deliveries = made.map { d in
                .object([
                    "id": .string(d.id), "channel": .string(d.channel), "destination": .string(DestinationRules.redacted(d.destination)),
                    "status": .string(d.state.rawValue), "resend_of": RecordJSON.optional(d.resendOf), "due_at": RecordJSON.time(d.dueAt),
                ])
            }
        } else {
            deliveries = plan.items.map { item in
                .object([
                    "channel": .string(item.channel), "destination": .string(DestinationRules.redacted(item.destination)),
                    "resend_of": .string(item.source), "due_at": RecordJSON.time(item.dueAt), "held": RecordJSON.optional(item.held),
                ])
            }
        }
        return .object(["message_id": .string(plan.messageID), "deliveries": .array(deliveries)])
    }

    public static func skip(_ skip: Resender.Skip) -> JSONValue {
        .object(["message_id": .string(skip.messageID), "reason": .string(skip.reason)])
    }

    /// Reads the optional fields both resend bodies share.
    static func common(_ fields: [String: JSONValue]) throws(HeraldError) -> (channel: String?, reason: String?, force: Bool, dryRun: Bool) {
        func string(_ key: String, max: Int) throws(HeraldError) -> String? {
            switch fields[key] {
            case nil, .null?: return nil
            case .string(let s)?:
                guard !s.isEmpty, s.count <= max else { throw .invalid(field: key, "must be 1 to \(max) characters") }
                guard !DestinationRules.hasLineBreak(s) || key == "reason" else { throw .invalid(field: key, "must be one line") }
                return s
            default: throw .invalid(field: key, "must be a string")
            }
        }
        func bool(_ key: String) throws(HeraldError) -> Bool {
            switch fields[key] {
            case nil, .null?: return false
            case .bool(let b)?: return b
            default: throw .invalid(field: key, "must be true or false")
            }
        }
        return (try string("channel", max: 64), try string("reason", max: 500), try bool("force"), try bool("dry_run"))
    }
}
