import HeraldCore

/// The delivery the first step of a fallback chain becomes when the delivery before it gives up,
/// and the detail of its `fallback` event: shared by every backend, for failures (the recorder,
/// bounces, receipts, phone tasks) and for suppressions (at enqueue and at claim).
public struct FallbackStart: Sendable, Equatable {
    public var delivery: Delivery
    public var detail: String

    /// Why the delivery before gave up.
    public enum Cause: Sendable, Equatable {
        /// It failed permanently (or went `dead`), with the reason when there is one.
        case failed(String?)
        /// The suppression list stopped it, with the entry's "source: reason".
        case suppressed(String)
    }

    /// The start of `chain` (nil when it is empty): its first step, carrying the rest, the
    /// message's expiry and the `fallback` purpose, due at `from` or at the end of the step's
    /// quiet window when `from` falls inside it; `at` is now (the event's time, and `queued` or
    /// `scheduled` is decided against it).
    public init?(
        messageID: String, channel: String, chain: [FallbackStep], expiresAt: Int64?, cause: Cause, from: Int64, at: Int64
    ) {
        guard let step = chain.first else { return nil }
        let due = step.release(at: max(from, at))
        var delivery = Delivery(
            id: HeraldID.make(.delivery), messageID: messageID, channel: step.channel, destination: step.destination,
            state: DeliveryState.onEnqueue(sendAt: due, now: at), attempts: 0, dueAt: due, expiresAt: expiresAt,
            lastError: nil, providerID: nil, purpose: "fallback", createdAt: at, updatedAt: at)
        delivery.fallback = Array(chain.dropFirst())
        self.delivery = delivery
        switch cause {
        case .failed(let reason):
            detail = StoreText.fallback(failedChannel: channel, reason: reason, next: step, due: due, at: at)
        case .suppressed(let reason):
            detail = StoreText.fallback(suppressedChannel: channel, reason: reason, next: step, due: due, from: from, at: at)
        }
    }
}
