/// What an asynchronous bounce (a delivery status notification) did to the delivery it named.
public enum BounceResult: Sendable, Equatable {
    /// The delivery was `sent` and is now `failed` with a `bounced` event; its address is
    /// suppressed and its fallback chain started.
    case bounced
    /// The delivery was `sent` and is now `failed` (a `failed` event) for a reason other than its
    /// address; its fallback chain started, the address is not suppressed.
    case failed
    /// The delivery is in a state a bounce does not move (opened, already failed, still sending):
    /// nothing changed.
    case unchanged(DeliveryState)
    /// No delivery with that id went to that address.
    case unknown
}
