import HeraldCore

/// The suppression entry that stops a delivery, as the stores apply it at enqueue and at claim
/// (and previews show it): its source and reason, and whether the delivery's fallback chain goes on.
public struct SuppressionHit: Sendable, Equatable {
    public var source: String
    public var reason: String

    public init(source: String, reason: String) {
        self.source = source
        self.reason = reason
    }

    /// "source: reason", as deliveries and events carry it.
    public var text: String { "\(source): \(reason)" }

    /// Whether the tier's fallback chain takes over, as it does when the provider says the same
    /// thing live: the address cannot be reached (a hard bounce, a wrong number) or the recipient
    /// stopped this channel (an SMS STOP). Not for an unsubscribe (the person withdrew consent to
    /// the category, whatever the channel) or an operator's entry (a legal hold, a complaint: the
    /// operator stopped the address, not one way of reaching it).
    public var startsFallback: Bool {
        switch Suppression.Source(rawValue: source) {
        case .bounce?, .wrongNumber?, .optOut?: true
        case .unsubscribe?, .manual?, nil: false
        }
    }

    /// The entry that applies to a message of `category` on `channel`, among an address's
    /// `entries` (category, source, reason): an entry for every message, for the message's
    /// category or for the channel. When several apply, one that withdraws consent wins over one
    /// that starts the fallback, so the chain never goes on past a person's or an operator's "no";
    /// then `all` before the category before the channel. The same whatever order `entries` is in.
    public static func applying(
        _ entries: some Sequence<(category: String, source: String, reason: String)>, category: MessageRequest.Category,
        channel: String
    ) -> SuppressionHit? {
        let order = ["all", category.rawValue, Suppressions.channelCategory(channel)]
        var best: (rank: Int, hit: SuppressionHit)?
        for entry in entries {
            guard let position = order.firstIndex(of: entry.category) else { continue }
            let hit = SuppressionHit(source: entry.source, reason: entry.reason)
            let rank = (hit.startsFallback ? order.count : 0) + position
            if best.map({ rank < $0.rank }) ?? true { best = (rank, hit) }
        }
        return best?.hit
    }
}
