import HeraldChannels
import HeraldCore
import HeraldStore
import Hummingbird

/// `/healthz` (the process answers) and `/readyz` (it can do its job: the database takes writes).
/// `/readyz` also lists unhealthy destinations per channel (robots refused by their platform):
/// they make the answer `degraded` but keep it 200, since every other destination still works.
struct HealthRoutes: Sendable {
    let store: any Store
    let runtime: Runtime
    let counts: QueueDepthCache

    func register(on router: Router<HeraldRequestContext>) {
        router.get("/healthz") { _, _ in JSONResponse.make(.object(["status": .string("ok")])) }
        router.get("/readyz") { _, _ in
            do {
                try await store.checkWritable()
                let depth = try await counts.depth(now: Timestamps.now())
                var counts: [String: JSONValue] = [:]
                for (state, n) in depth { counts[state.rawValue] = .int(Int64(n)) }
                var details: [String: JSONValue] = [:]
                var degraded = false
                for channel in runtime.current.channels {
                    let problems = channel.problems()
                    degraded = degraded || !problems.isEmpty
                    details[channel.name] = .object([
                        "kind": .string(channel.kind.rawValue),
                        "healthy": .bool(problems.isEmpty),
                        "unhealthy": .array(problems.map { p in
                            .object([
                                "destination": .string(p.destination), "reason": .string(p.reason),
                                "since": .string(Timestamps.format(p.since)),
                            ])
                        }),
                    ])
                }
                return JSONResponse.make(.object([
                    "status": .string(degraded ? "degraded" : "ready"), "deliveries": .object(counts),
                    "channels": .object(details),
                ]))
            } catch {
                throw HeraldError.unavailable("database not writable: \(error)")
            }
        }
    }
}
