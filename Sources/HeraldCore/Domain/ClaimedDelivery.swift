/// A leased delivery with what the channel needs to send it.
public struct ClaimedDelivery: Sendable, Equatable {
    public var delivery: Delivery
    public var message: Message
    /// The quiet hours a retry of it keeps (its client's tier's, in the client's time zone); nil for
    /// urgent messages, messages without a client and tiers without quiet hours. Set by the
    /// dispatcher after the claim.
    public var quietWindow: QuietWindow?
    /// The attempt about to be made (1-based).
    public var attemptNumber: Int { delivery.attempts }

    public init(delivery: Delivery, message: Message) {
        self.delivery = delivery
        self.message = message
    }
}
