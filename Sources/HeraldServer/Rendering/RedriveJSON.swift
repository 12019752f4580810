import HeraldCore
import HeraldDispatch

/// JSON of redrives (`POST /v1/deliveries/redrive` and `herald redrive --json`).
public enum RedriveJSON {
    /// Deliveries listed one by one at most; the counts are always whole.
    public static let listed = 1_000

    public static func outcome(_ outcome: RedrivePage, dryRun: Bool) -> JSONValue {
        let (redriven, skipped) = (outcome.redriven, outcome.skipped)
        return .object([
            "dry_run": .bool(dryRun),
            "count": .int(Int64(redriven.count)),
            "skipped_count": .int(Int64(skipped.count)),
            "redriven": .array(redriven.prefix(listed).map(item)),
            "skipped": .array(skipped.prefix(listed).map(item)),
            "truncated": .bool(redriven.count > listed || skipped.count > listed),
            "next_cursor": RecordJSON.optional(outcome.nextCursor),
        ])
    }

    static func item(_ item: RedriveItem) -> JSONValue {
        var fields: [String: JSONValue] = [
            "delivery_id": .string(item.deliveryID), "message_id": .string(item.messageID), "channel": .string(item.channel),
            "destination": .string(DestinationRules.redacted(item.destination)), "state": .string(item.state.rawValue),
            "attempts": .int(Int64(item.attempts)), "last_error": RecordJSON.optional(item.lastError),
        ]
        if let id = item.newDeliveryID { fields["new_delivery_id"] = .string(id) }
        if let reason = item.skipped { fields["reason"] = .string(reason) }
        return .object(fields)
    }
}
