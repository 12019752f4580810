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
