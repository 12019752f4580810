import HeraldCore
import HeraldStore
import Hummingbird

/// `GET /v1/queue` (scope `read`): per configured channel (and any other with deliveries pending),
/// what waits, is being sent and gave up, the oldest waiting due time and the oldest claim still
/// sending — `herald queue` over HTTP.
struct QueueRoutes: Sendable {
    let store: any Store
    let runtime: Runtime

    func register(on router: Router<HeraldRequestContext>) {
        router.get("/v1/queue") { request, _ in
            for (key, _) in request.uri.queryParameters {
                throw HeraldError.invalid(field: String(key), "unknown query parameter")
            }
            let backlog = ChannelBacklog.including(runtime.current.config.channels.map(\.name), try await store.backlog())
            return JSONResponse.make(.object(["channels": .array(backlog.map(BacklogJSON.channel))]))
        }
    }
}
