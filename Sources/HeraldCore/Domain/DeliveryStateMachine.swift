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
        // (`cancelled`: a call delivery whose message was cancelled while its task was being opened.)
        .sending: [.sending, .queued, .sent, .delivered, .retrying, .failed, .dead, .suppressed, .cancelled],
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

    /// Whether a delivery whose send is recorded as `state` takes on a person's open or click that
    /// came while it was still `sending` (kept in the store until then): the states engagement
    /// follows (`sent`, `delivered`).
    public static func takesEarlyEngagement(_ state: DeliveryState) -> Bool {
        canTransition(from: state, to: .opened) && canTransition(from: state, to: .clicked)
    }

    /// What to keep of engagement that came while sending: the furthest of what was kept and what
    /// came now (a click is kept over a later open).
    public static func furthestEngagement(kept: DeliveryState?, new: DeliveryState) -> DeliveryState {
        guard let kept, canTransition(from: new, to: kept) else { return new }
        return kept
    }

    /// Checks a move, throwing a conflict error that names both states when it is not allowed.
    public static func validate(from: DeliveryState, to: DeliveryState) throws(HeraldError) {
        guard canTransition(from: from, to: to) else {
            throw .conflict("delivery cannot move from '\(from.rawValue)' to '\(to.rawValue)'")
        }
    }
}
