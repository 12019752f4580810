/// Where a delivery stands. See ``DeliveryStateMachine`` for the allowed moves.
public enum DeliveryState: String, Sendable, Codable, CaseIterable {
    case scheduled
    case queued
    case sending
    case sent
    case delivered
    case opened
    case clicked
    case retrying
    case failed
    case dead
    case cancelled
    case expired
    case suppressed

    /// States a dispatcher may claim work from.
    public static let claimable: [DeliveryState] = [.scheduled, .queued, .retrying]

    /// States that a cancel request can still stop.
    public static let cancellable: [DeliveryState] = [.scheduled, .queued, .retrying]

    /// The state a delivery enqueued at `now` starts in: `scheduled` while its message waits for
    /// `send_at`, `queued` otherwise (the planner, the dry-run answer and the derived enqueue events
    /// all ask this).
    public static func onEnqueue(sendAt: Int64?, now: Int64) -> DeliveryState {
        (sendAt ?? now) > now ? .scheduled : .queued
    }

    /// No further transition will ever leave this state.
    public var isTerminal: Bool {
        DeliveryStateMachine.allowed[self, default: []].isEmpty
    }

    /// The provider accepted it (whatever happened after).
    public var wasSent: Bool {
        switch self {
        case .sent, .delivered, .opened, .clicked: true
        default: false
        }
    }
}
