import HeraldCore
import HeraldDispatch

/// The answer of a digest run (`POST /v1/digests`, `herald digest --json`): per CSM, what their
/// digest holds and what became of it.
public enum DigestJSON {
    public static func result(day: String, dryRun: Bool, _ outcomes: [(CSMDigest.Report, CSMDigest.Outcome)]) -> JSONValue {
        .object([
            "day": .string(day), "dry_run": .bool(dryRun),
            "digests": .array(outcomes.map { r, outcome in
                var o: [String: JSONValue] = [
                    "csm": .string(r.email), "clients": .int(Int64(r.clients.count)), "tasks": .int(Int64(r.taskTotal)),
                    "attention": .array(r.attention.map { .string($0.client.id) }), "failures": .int(Int64(r.failureTotal)),
                    "message_id": .null, "reason": .null,
                ]
                switch outcome {
                case .sent(let id):
                    o["status"] = .string("sent")
                    o["message_id"] = .string(id)
                case .wouldSend: o["status"] = .string("would send")
                case .alreadySent(let id):
                    o["status"] = .string("already sent")
                    o["message_id"] = .string(id)
                case .nothingToReport: o["status"] = .string("nothing to report")
                case .notSent(let why):
                    o["status"] = .string("not sent")
                    o["reason"] = .string(why)
                }
                return .object(o)
            }),
        ])
    }

    /// Reads `{"csm"?: email, "dry_run"?: bool}`.
    public static func request(_ body: JSONValue) throws(HeraldError) -> (csm: String?, dryRun: Bool) {
        var reader = try FieldReader(body: body)
        reader.rejectUnknown(["csm", "dry_run"])
        let csm = reader.string("csm", maxLength: 254)
        if let csm, let problem = DestinationRules.emailProblem(csm) { reader.fail("csm", problem) }
        let dryRun = reader.bool("dry_run") ?? false
        try reader.check()
        return (csm, dryRun)
    }
}
