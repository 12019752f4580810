import CoreMetrics
import HeraldCore

/// The dispatcher's metrics (swift-metrics; `herald serve` exports them to Prometheus at `/metrics`).
/// Handles are made once per channel: the hot path only increments them.
struct DispatchMetrics: Sendable {
    private let outcomes: [DeliveryState: Counter]
    private let duration: Timer
    private let waits: Counter

    init(channel: String) {
        outcomes = Dictionary(uniqueKeysWithValues: DeliveryState.allCases.map { state in
            (state, Counter(label: "herald_deliveries_total", dimensions: [("channel", channel), ("outcome", state.rawValue)]))
        })
        duration = Timer(label: "herald_attempt_duration_seconds", dimensions: [("channel", channel)])
        waits = Counter(label: "herald_rate_limit_waits_total", dimensions: [("channel", channel)])
    }

    /// One attempt ended with the delivery in `state` after `milliseconds`.
    func attempt(_ state: DeliveryState, milliseconds: Int64) {
        outcomes[state]?.increment()
        duration.recordMilliseconds(milliseconds)
    }

    /// A delivery waited for a rate limit or an unhealthy robot instead of being attempted.
    func waited() { waits.increment() }
}
