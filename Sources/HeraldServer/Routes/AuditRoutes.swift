import HeraldCore
import HeraldStore
import Hummingbird

/// `GET /v1/audit` (scope `admin`): who changed tokens, suppressions, subscriptions and clients,
/// and who redrove, newest first.
struct AuditRoutes: Sendable {
    let store: any Store

    func register(on router: Router<HeraldRequestContext>) {
        router.get("/v1/audit") { request, _ in
            let query = try AuditJSON.query(
                request.uri.queryParameters.map { (String($0.key), String($0.value)) }, now: Timestamps.now())
            return JSONResponse.make(AuditJSON.page(try await store.audit(matching: query), limit: query.limit))
        }
    }
}
