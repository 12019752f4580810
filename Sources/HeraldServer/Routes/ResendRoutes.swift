import HeraldCore
import HeraldDispatch
import HeraldStore
import Hummingbird

/// `POST /v1/messages/{id}/resend` and the bulk `POST /v1/resend` (scope `resend`).
struct ResendRoutes: Sendable {
    let runtime: Runtime
    let wakeup: Signal

    func register(on router: Router<HeraldRequestContext>) {
        router.post("/v1/messages/:id/resend") { request, context in
            let id = context.parameters.get("id") ?? ""
            var reader = try FieldReader(body: try await RequestBody.json(request, limit: 64 << 10, allowEmpty: true))
            reader.rejectUnknown(["channel", "reason", "force", "dry_run"])
            let options = ResendJSON.common(&reader)
            try reader.check()
            let dryRun = options.dryRun || request.uri.queryParameters.get("dry_run") == "true"
            let now = Timestamps.now()
            let resender = runtime.current.resender
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
            var reader = try FieldReader(body: try await RequestBody.json(request, limit: 64 << 10, allowEmpty: true))
            reader.rejectUnknown(["template", "tier", "client_ids", "unopened_for", "channel", "reason", "force", "dry_run"])
            let options = ResendJSON.common(&reader)
            let dryRun = options.dryRun || request.uri.queryParameters.get("dry_run") == "true"
            let unopenedFor = reader.string("unopened_for", maxLength: 32).flatMap(DurationText.milliseconds)
            if unopenedFor == nil {
                reader.fail("unopened_for", "required: a duration such as \"48h\" (messages at least this old and not opened)")
            }
            var filter = Resender.Filter(unopenedFor: unopenedFor ?? 0, channel: options.channel, force: options.force)
            filter.template = reader.string("template", maxLength: 128, singleLine: true)
            filter.tier = reader.string("tier", maxLength: 128, singleLine: true)
            switch reader.object["client_ids"] {
            case nil, .null?: break
            case .array(let items)?:
                let ids = items.compactMap { item -> String? in
                    guard case .string(let s) = item, !s.isEmpty, s.count <= 128 else { return nil }
                    return s
                }
                if ids.count != items.count {
                    reader.fail("client_ids", "must be an array of client ids")
                } else if ids.count > 1_000 {
                    reader.fail("client_ids", "at most 1000 ids")
                }
                filter.clientIDs = ids
            default: reader.fail("client_ids", "must be an array of client ids")
            }
            try reader.check()
            let now = Timestamps.now()
            let resender = runtime.current.resender
            let bulk = try await resender.bulk(filter, reason: options.reason, actor: context.actor, now: now)
            let (plans, skipped) = (bulk.plans, bulk.skipped)
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
}
