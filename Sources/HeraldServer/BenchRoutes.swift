import HeraldCore
import Hummingbird

/// `POST /bench/noop`: reads and parses a JSON body like the enqueue route, stores nothing.
/// The benchmark's ceiling; mounted only when `HERALD_BENCH_ENDPOINTS=1`.
struct BenchRoutes: Sendable {
    let limit: Int

    func register(on router: Router<HeraldRequestContext>) {
        router.post("/bench/noop") { request, _ in
            let json = try await RequestBody.json(request, limit: limit)
            guard case .object = json else { throw HeraldError.invalid(field: "(body)", "must be a JSON object") }
            return JSONResponse.make(.object(["id": .string(HeraldID.make(.message))]), status: .accepted)
        }
    }
}
