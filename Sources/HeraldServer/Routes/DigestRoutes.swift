import HeraldCore
import HeraldDispatch
import HeraldStore
import Hummingbird

/// `POST /v1/digests`: today's CSM digests now (or a preview), as `herald digest` does.
struct DigestRoutes: Sendable {
    let store: any Store
    let runtime: Runtime

    func register(on router: Router<HeraldRequestContext>) {
        router.post("/v1/digests") { request, _ in
            let (csm, dryRun) = try DigestJSON.request(try await RequestBody.json(request, limit: 16 << 10))
            let snapshot = runtime.current
            let settings = snapshot.config.digest ?? DigestSettings()
            let digest = CSMDigest(config: snapshot.config, store: store, renderer: snapshot.renderer, settings: settings)
            let now = Timestamps.now()
            let outcomes = try await digest.send(now: now, csm: csm, dryRun: dryRun)
            return JSONResponse.make(DigestJSON.result(day: settings.day(of: now), dryRun: dryRun, outcomes))
        }
    }
}
