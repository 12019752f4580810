import HeraldCore
import Synchronization

/// Delivery counts for `/readyz` and `/metrics`. A store that keeps a tally (SQLite) is asked every
/// time; one that must count its deliveries table (PostgreSQL: a scan of every row) is asked at
/// most once per `ttl`, however often load balancers and scrapers poll, and concurrent polls
/// share the count in flight.
public final class QueueDepthCache: Sendable {
    let store: any Store
    public let ttl: Int64
    private let state = Mutex<(at: Int64?, depth: [DeliveryState: Int], inFlight: Task<[DeliveryState: Int], any Error>?)>(
        (at: nil, depth: [:], inFlight: nil))

    public init(store: any Store, ttl: Int64 = 2_000) {
        self.store = store
        self.ttl = store.keepsDeliveryCounts ? 0 : ttl
    }

    /// The counts, at most `ttl` ms old when the store must count them.
    public func depth(now: Int64) async throws -> [DeliveryState: Int] {
        if ttl == 0 { return try await store.queueDepth() }
        let store = self.store
        let task = state.withLock { state -> Task<[DeliveryState: Int], any Error>? in
            if let at = state.at, now >= at, now - at < ttl { return nil }
            if let running = state.inFlight { return running }
            let running = Task { try await store.queueDepth() }
            state.inFlight = running
            return running
        }
        guard let task else { return state.withLock { $0.depth } }
        do {
            let depth = try await task.value
            state.withLock { state in
                if state.inFlight == task { (state.at, state.depth, state.inFlight) = (now, depth, nil) }
            }
            return depth
        } catch {
            state.withLock { state in if state.inFlight == task { state.inFlight = nil } }
            throw error
        }
    }
}
