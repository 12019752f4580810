/// A leased delivery with what the channel needs to send it.
public struct ClaimedDelivery: Sendable, Equatable {
    public var delivery: Delivery
    public var message: Message
    /// The attempt about to be made (1-based).
    public var attemptNumber: Int { delivery.attempts }

    public init(delivery: Delivery, message: Message) {
        self.delivery = delivery
        self.message = message
    }
}
