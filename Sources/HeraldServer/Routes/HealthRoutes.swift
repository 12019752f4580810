import HeraldCore
import HeraldStore
import Hummingbird

/// `/healthz` (the process answers) and `/readyz` (it can do its job: the database takes writes).
struct HealthRoutes: Sendable {
    let store: any Store

    func register(on router: Router<HeraldRequestContext>) {
        router.get("/healthz") { _, _ in JSONResponse.make(.object(["status": .string("ok")])) }
        router.get("/readyz") { _, _ in
            do {
                try await store.checkWritable()
                let depth = try await store.queueDepth()
                var counts: [String: JSONValue] = [:]
                for (state, n) in depth { counts[state.rawValue] = .int(Int64(n)) }
                return JSONResponse.make(.object(["status": .string("ready"), "deliveries": .object(counts)]))
            } catch {
                throw HeraldError.unavailable("database not writable: \(error)")
            }
        }
    }
}
