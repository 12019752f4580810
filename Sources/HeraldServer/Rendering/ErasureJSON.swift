import HeraldCore

/// An erasure's answer (`POST /v1/erasures`, `herald erase --json`).
public enum ErasureJSON {
    public static func result(_ r: Erasure.Result, dryRun: Bool) -> JSONValue {
        .object([
            "dry_run": .bool(dryRun), "deliveries": .int(Int64(r.deliveries)), "messages": .int(Int64(r.messages)),
            "contacts": .int(Int64(r.contacts)), "tasks": .int(Int64(r.tasks)), "escalations": .int(Int64(r.escalations)),
            "notices": .int(Int64(r.notices)), "clients": .array(r.clientIDs.map(JSONValue.string)),
            "still_suppressed": .array(r.stillSuppressed.map(JSONValue.string)),
        ])
    }
}
