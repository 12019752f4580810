import HeraldCore
import HeraldDispatch
import HeraldStore
import Hummingbird

/// `POST /v1/messages/{id}/resend` and the bulk `POST /v1/resend` (scope `resend`).
struct ResendRoutes: Sendable {
    let resender: Resender
    let wakeup: Signal

    func register(on router: Router<HeraldRequestContext>) {
        router.post("/v1/messages/:id/resend") { request, context in
            let id = context.parameters.get("id") ?? ""
            let fields = try Self.object(try await Self.body(request))
            if let unknown = fields.keys.sorted().first(where: { !["channel", "reason", "force", "dry_run"].contains($0) }) {
                throw HeraldError.invalid(field: unknown, "unknown field")
            }
            let options = try ResendJSON.common(fields)
            let dryRun = options.dryRun || request.uri.queryParameters.get("dry_run") == "true"
            let now = Timestamps.now()
            let plan = try await resender.plan(
                messageID: id, channel: options.channel, reason: options.reason, force: options.force, actor: context.actor, now: now)
            if dryRun {
                guard case .object(var body) = ResendJSON.plan(plan) else { return JSONResponse.make(.null) }
                body["dry_run"] = .bool(true)
                return JSONResponse.make(.object(body))
            }
            let made = try await resender.execute(plan)
            wakeup.raise()
            return JSONResponse.make(ResendJSON.plan(plan, made: made), status: .accepted)
        }
        router.post("/v1/resend") { request, context in
            let fields = try Self.object(try await Self.body(request))
            let known = ["template", "tier", "client_ids", "unopened_for", "channel", "reason", "force", "dry_run"]
            if let unknown = fields.keys.sorted().first(where: { !known.contains($0) }) {
                throw HeraldError.invalid(field: unknown, "unknown field")
            }
            let options = try ResendJSON.common(fields)
            let dryRun = options.dryRun || request.uri.queryParameters.get("dry_run") == "true"
            var filter = Resender.Filter(unopenedFor: try Self.duration(fields["unopened_for"]), channel: options.channel, force: options.force)
            filter.template = try Self.name(fields["template"], field: "template")
            filter.tier = try Self.name(fields["tier"], field: "tier")
            switch fields["client_ids"] {
            case nil, .null?: break
            case .array(let items)?:
                filter.clientIDs = try items.map { item throws(HeraldError) -> String in
                    guard case .string(let s) = item, !s.isEmpty, s.count <= 128 else {
                        throw .invalid(field: "client_ids", "must be an array of client ids")
                    }
                    return s
                }
                guard filter.clientIDs.count <= 1_000 else { throw HeraldError.invalid(field: "client_ids", "at most 1000 ids") }
            default: throw HeraldError.invalid(field: "client_ids", "must be an array of client ids")
            }
            let now = Timestamps.now()
            let (plans, skipped) = try await resender.bulk(filter, reason: options.reason, actor: context.actor, now: now)
            if dryRun {
                return JSONResponse.make(.object([
                    "dry_run": .bool(true), "count": .int(Int64(plans.count)), "resends": .array(plans.map { ResendJSON.plan($0) }),
                    "skipped": .array(skipped.map(ResendJSON.skip)),
                ]))
            }
            var resends: [JSONValue] = []
            var refused = skipped
            for plan in plans {
                do {
                    resends.append(ResendJSON.plan(plan, made: try await resender.execute(plan)))
                } catch let error as HeraldError {
                    // Another resend of the same message won the race: report it, keep going.
                    refused.append(Resender.Skip(messageID: plan.messageID, reason: error.detail))
                }
            }
            if !resends.isEmpty { wakeup.raise() }
            return JSONResponse.make(.object([
                "dry_run": .bool(false), "count": .int(Int64(resends.count)), "resends": .array(resends),
                "skipped": .array(refused.map(ResendJSON.skip)),
            ]), status: .accepted)
        }
    }

    static func body(_ request: Request) async throws -> JSONValue {
        if request.headers[.contentLength] == "0" { return .object([:]) }
        let buffer = try await request.body.collect(upTo: 64 << 10)
        if buffer.readableBytes == 0 { return .object([:]) }
        return try JSONValue.parse(buffer.readableBytesView)
    }

    static func object(_ json: JSONValue) throws -> [String: JSONValue] {
        guard case .object(let fields) = json else { throw HeraldError.invalid(field: "(body)", "must be a JSON object") }
        return fields
    }

    static func name(_ value: JSONValue?, field: String) throws -> String? {
        switch value {
        case nil, .null?: return nil
        case .string(let s)? where !s.isEmpty && s.count <= 128: return s
        default: throw HeraldError.invalid(field: field, "must be a non-empty string")
        }
    }

    static func duration(_ value: JSONValue?) throws -> Int64 {
        guard case .string(let text)? = value, let millis = DurationText.milliseconds(text) else {
            throw HeraldError.invalid(field: "unopened_for", "required: a duration such as \"48h\" (messages at least this old and not opened)")
        }
        return millis
    }
}
