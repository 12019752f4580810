/// The one place that knows which delivery state may follow which.
///
/// `sending` is the leased state of a claimed delivery. A lease that ran out (crashed worker)
/// is claimed again, hence `sending → sending`; a lease released at shutdown goes back to `queued`.
public enum DeliveryStateMachine {
    /// For each state, the states it may move to.
    public static let allowed: [DeliveryState: Set<DeliveryState>] = [
        .scheduled: [.queued, .sending, .cancelled, .expired, .suppressed],
        .queued: [.sending, .cancelled, .expired, .suppressed],
        .retrying: [.sending, .cancelled, .expired, .dead],
        .sending: [.sending, .queued, .sent, .delivered, .retrying, .failed, .dead, .suppressed],
        .sent: [.delivered, .opened, .clicked, .failed],
        .delivered: [.opened, .clicked],
        .opened: [.clicked],
        .clicked: [],
        .failed: [],
        .dead: [],
        .cancelled: [],
        .expired: [],
        .suppressed: [],
    ]

    /// Whether `from → to` is a legal move.
    public static func canTransition(from: DeliveryState, to: DeliveryState) -> Bool {
        allowed[from, default: []].contains(to)
    }

    /// Checks a move, throwing a conflict error that names both states when it is not allowed.
    public static func validate(from: DeliveryState, to: DeliveryState) throws(HeraldError) {
        guard canTransition(from: from, to: to) else {
            throw .conflict("delivery cannot move from '\(from.rawValue)' to '\(to.rawValue)'")
        }
    }
}
