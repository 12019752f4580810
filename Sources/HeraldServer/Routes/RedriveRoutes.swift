import HeraldCore
import HeraldChannels
import HeraldDispatch
import HeraldStore
import Hummingbird

/// `POST /v1/deliveries/redrive` (scope `admin`): after an outage, send again what gave up
/// (``RedriveRequest``). Looks at up to `limit` deliveries per call; `next_cursor` continues.
struct RedriveRoutes: Sendable {
    let store: any Store
    let runtime: Runtime
    let wakeup: Signal

    static let defaultLimit = 1_000
    static let maximumLimit = 10_000

    func register(on router: Router<HeraldRequestContext>) {
        router.post("/v1/deliveries/redrive") { request, context in
            var reader = try FieldReader(body: try await RequestBody.json(request, limit: 64 << 10, allowEmpty: true))
            reader.rejectUnknown(["channel", "states", "since", "until", "limit", "cursor", "reason", "dry_run"])
            let now = Timestamps.now()
            let snapshot = runtime.current
            // Every configured channel, the call channel too (as `herald redrive` and `/v1/queue` see them).
            let configured = snapshot.config.channels.map(\.name).sorted()
            let channel = reader.string("channel", maxLength: 128, singleLine: true)
            if let channel, !configured.contains(channel) {
                reader.fail("channel", "unknown channel '\(channel)' (configured: \(configured.joined(separator: ", ")))")
            }
            var states: [DeliveryState] = [.dead]
            switch reader.object["states"] {
            case nil, .null?: break
            case .array(let items)?:
                let parsed = items.compactMap { item -> DeliveryState? in
                    guard case .string(let s) = item, let state = DeliveryState(rawValue: s),
                        RedriveRequest.redrivable.contains(state)
                    else { return nil }
                    return state
                }
                if parsed.isEmpty || parsed.count != items.count {
                    reader.fail("states", "must be a non-empty array of \"dead\" and \"failed\"")
                } else {
                    states = Array(Set(parsed)).sorted { $0.rawValue < $1.rawValue }
                }
            default: reader.fail("states", "must be a non-empty array of \"dead\" and \"failed\"")
            }
            var times: [String: Int64] = [:]
            for key in ["since", "until"] {
                guard let text = reader.string(key, maxLength: 64) else { continue }
                if let millis = RedriveRequest.time(text, now: now) {
                    times[key] = millis
                } else {
                    reader.fail(key, "must be an RFC 3339 time or a duration back from now such as \"24h\"")
                }
            }
            var limit = Self.defaultLimit
            switch reader.object["limit"] {
            case nil, .null?: break
            case .int(let n)? where n >= 1 && n <= Int64(Self.maximumLimit): limit = Int(n)
            default: reader.fail("limit", "must be an integer from 1 to \(Self.maximumLimit)")
            }
            let cursor = reader.string("cursor", maxLength: 64, pattern: { HeraldID.isValid($0, kind: .delivery) })
            let reason = reader.string("reason", maxLength: 500, singleLine: true)
            let dryRun = (reader.bool("dry_run") ?? false) || request.uri.queryParameters.get("dry_run") == "true"
            try reader.check()
            let redrive = RedriveRequest(
                states: states, channel: channel, since: times["since"], until: times["until"], after: cursor, dryRun: dryRun,
                actor: context.actor, reason: reason, now: now)
            let outcome = try await Redriver(store: store).run(redrive, total: limit)
            let redrove = !dryRun && !outcome.redriven.isEmpty
            if redrove { wakeup.raise() }
            let status: HTTPResponse.Status = redrove ? .accepted : .ok
            return JSONResponse.make(RedriveJSON.outcome(outcome, dryRun: dryRun), status: status)
        }
    }
}
