import HeraldCore
import HeraldStore
import Hummingbird
import Logging

/// `/v1/tokens` (scope `admin`): what `herald token` does, for the automation that provisions
/// services (a secrets manager rotating a service's token, an onboarding script making one).
/// Secrets are in the answer that makes them and nowhere else; only hashes are stored.
struct TokenRoutes: Sendable {
    let store: any Store
    let logger: Logger

    func register(on router: Router<HeraldRequestContext>) {
        router.get("/v1/tokens") { request, _ in
            let now = Timestamps.now()
            let query = request.uri.queryParameters
            for (key, _) in query where key != "status" && key != "unused_for" {
                throw HeraldError.invalid(field: String(key), "unknown query parameter")
            }
            let filter = try TokenFilter.parse(status: query.get("status"), unusedFor: query.get("unused_for"))
            let tokens = try await store.tokens().filter { filter.matches($0, now: now) }
            return JSONResponse.make(.object(["items": .array(tokens.map { $0.json(now: now) })]))
        }
        router.post("/v1/tokens") { request, context in
            let now = Timestamps.now()
            let wanted = try TokenRequest.parse(try await RequestBody.json(request, limit: 16 << 10), now: now)
            let (token, secret) = try await TokenIssuer.create(wanted, actor: context.actor, store: store, now: now)
            logger.notice("token created", metadata: [
                "token": "\(token.name)", "scopes": "\(token.scopes.sorted().map(\.rawValue).joined(separator: ","))",
                "actor": "\(context.actor)",
            ])
            return JSONResponse.make(token.issuedJSON(secret: secret), status: .created)
        }
        router.post("/v1/tokens/:name/rotate") { request, context in
            let name = context.parameters.get("name") ?? ""
            let now = Timestamps.now()
            var reader = try FieldReader(body: try await RequestBody.json(request, limit: 16 << 10, allowEmpty: true))
            reader.rejectUnknown(["grace", "expires"])
            var grace: Int64 = 0
            switch TokenRequest.grace(reader.string("grace", maxLength: 32) ?? TokenRequest.defaultGrace) {
            case .success(let millis): grace = millis
            case .failure(let problem): reader.fail("grace", problem.reason)
            }
            var expiresAt: Int64?
            if let text = reader.string("expires", maxLength: 64) {
                switch TokenRequest.expiry(text, now: now) {
                case .success(let at): expiresAt = at
                case .failure(let problem): reader.fail("expires", problem.reason)
                }
            }
            try reader.check()
            guard let (token, secret, retired) = try await TokenIssuer.rotate(
                name: name, grace: grace, expiresAt: expiresAt, actor: context.actor, store: store, now: now)
            else { throw HeraldError.notFound("no active token named '\(name)'") }
            logger.notice("token rotated", metadata: [
                "token": "\(name)", "retired_as": "\(retired.name)", "actor": "\(context.actor)",
            ])
            return JSONResponse.make(token.issuedJSON(secret: secret, retired: retired))
        }
        router.delete("/v1/tokens/:name") { _, context in
            let name = context.parameters.get("name") ?? ""
            guard try await TokenIssuer.revoke(name: name, actor: context.actor, store: store, now: Timestamps.now()) else {
                throw HeraldError.notFound("no active token named '\(name)'")
            }
            logger.notice("token revoked", metadata: ["token": "\(name)", "actor": "\(context.actor)"])
            return Response(status: .noContent)
        }
    }
}
