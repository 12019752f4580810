import HeraldCore
import Hummingbird

/// `POST /v1/admin/reload` (scope `admin`): the same reload as SIGHUP, answering what it applied,
/// or 422 problem+json with the reason it was refused.
struct ReloadRoutes: Sendable {
    /// Reloads as the given actor.
    let reload: @Sendable (String) async throws -> ReloadReport

    func register(on router: Router<HeraldRequestContext>) {
        router.post("/v1/admin/reload") { _, context in
            let report = try await reload(context.actor)
            return JSONResponse.make(.object([
                "reloaded": .bool(true), "channels": .array(report.channels.map(JSONValue.string)),
                "templates": .int(Int64(report.templates)), "tiers": .array(report.tiers.map(JSONValue.string)),
                "restart_needed": .array(report.needRestart.map(JSONValue.string)),
            ]))
        }
    }
}
