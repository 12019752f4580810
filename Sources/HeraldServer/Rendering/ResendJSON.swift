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
                    "expires_at": RecordJSON.time(d.expiresAt),
                ])
            }
        } else {
            deliveries = plan.items.map { item in
                .object([
                    "channel": .string(item.channel), "destination": .string(DestinationRules.redacted(item.destination)),
                    "resend_of": .string(item.source), "due_at": RecordJSON.time(item.dueAt), "held": RecordJSON.optional(item.held),
                    "expires_at": RecordJSON.time(item.expiresAt),
                ])
            }
        }
        return .object(["message_id": .string(plan.messageID), "deliveries": .array(deliveries)])
    }

    public static func skip(_ skip: Resender.Skip) -> JSONValue {
        .object(["message_id": .string(skip.messageID), "reason": .string(skip.reason)])
    }

    /// The optional fields both resend bodies share.
    struct Options {
        var channel: String?
        var reason: String?
        var force = false
        var dryRun = false
    }

    /// Reads the fields both resend bodies share; the caller rejects unknown fields and checks the reader.
    static func common(_ reader: inout FieldReader) -> Options {
        Options(
            channel: reader.string("channel", maxLength: 64, singleLine: true),
            reason: reader.string("reason", maxLength: 500),
            force: reader.bool("force") ?? false,
            dryRun: reader.bool("dry_run") ?? false)
    }
}
