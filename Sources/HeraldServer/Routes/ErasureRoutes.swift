import HeraldCore
import HeraldStore
import Hummingbird

/// `POST /v1/erasures` (scope `admin`): erase a person — their email addresses and phone numbers —
/// from the history (``Erasure``), or with `dry_run` count what would go.
struct ErasureRoutes: Sendable {
    let store: any Store
    let clients: ClientCache

    func register(on router: Router<HeraldRequestContext>) {
        router.post("/v1/erasures") { request, context in
            var reader = try FieldReader(body: try await RequestBody.json(request, limit: 16 << 10))
            reader.rejectUnknown(["addresses", "reason", "dry_run"])
            var addresses: [String] = []
            switch reader.object["addresses"] {
            case .array(let items)?:
                for (i, item) in items.enumerated() {
                    if case .string(let s) = item { addresses.append(s) } else { reader.fail("addresses[\(i)]", "must be a string") }
                }
            case nil: break
            default: reader.fail("addresses", "must be an array of email addresses and phone numbers")
            }
            let reason = reader.string("reason", maxLength: 500)
            let dryRun = reader.bool("dry_run") ?? false
            try reader.check()
            let erasure = try Erasure.Request.parse(
                addresses: addresses, reason: reason, dryRun: dryRun, actor: context.actor, now: Timestamps.now())
            let result = try await store.erasePerson(erasure)
            if !dryRun { for id in result.clientIDs { clients.invalidate(id) } }
            return JSONResponse.make(ErasureJSON.result(result, dryRun: dryRun))
        }
    }
}
