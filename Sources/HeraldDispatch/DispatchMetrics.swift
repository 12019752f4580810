import CoreMetrics
import HeraldCore

/// The dispatcher's metrics (swift-metrics; `herald serve` exports them to Prometheus at `/metrics`).
/// Handles are made once per channel: the hot path only increments them.
struct DispatchMetrics: Sendable {
    private let outcomes: [DeliveryState: Counter]
    private let duration: Timer
    private let waits: Counter
    private let claims: Counter
    private let claimedDeliveries: Counter

    init(channel: String) {
        outcomes = Dictionary(uniqueKeysWithValues: DeliveryState.allCases.map { state in
            (state, Counter(label: "herald_deliveries_total", dimensions: [("channel", channel), ("outcome", state.rawValue)]))
        })
        duration = Timer(label: "herald_attempt_duration_seconds", dimensions: [("channel", channel)])
        waits = Counter(label: "herald_rate_limit_waits_total", dimensions: [("channel", channel)])
        claims = Counter(label: "herald_claims_total", dimensions: [("channel", channel)])
        claimedDeliveries = Counter(label: "herald_claimed_deliveries_total", dimensions: [("channel", channel)])
    }

    /// One attempt ended with the delivery in `state` after `elapsed`. The histogram gets
    /// nanoseconds: a loopback attempt takes well under a millisecond, and whole milliseconds
    /// would record it as zero.
    func attempt(_ state: DeliveryState, elapsed: Duration) {
        outcomes[state]?.increment()
        let (seconds, attoseconds) = elapsed.components
        duration.recordNanoseconds(seconds &* 1_000_000_000 &+ attoseconds / 1_000_000_000)
    }

    /// One claim (a write transaction) took `count` deliveries: the two counters' ratio is the
    /// claims' average size.
    func claimed(_ count: Int) {
        claims.increment()
        claimedDeliveries.increment(by: count)
    }

    /// A delivery waited for a rate limit or an unhealthy robot instead of being attempted.
    func waited() { waits.increment() }
}
