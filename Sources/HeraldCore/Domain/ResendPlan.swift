/// One resend of one message, as decided from its deliveries, its client and the guard rails:
/// what the store will create. The same value answers a `dry_run`.
public struct ResendPlan: Sendable, Equatable {
    /// One new delivery.
    public struct Item: Sendable, Equatable {
        public var id: String
        /// The delivery it resends.
        public var source: String
        public var channel: String
        public var destination: String
        /// When it may go (quiet hours of the client's tier hold it).
        public var dueAt: Int64
        public var held: String?
        /// The message's `expires_at` (nil when it has none, or when a forced resend goes out after it).
        public var expiresAt: Int64?

        public init(
            id: String, source: String, channel: String, destination: String, dueAt: Int64, held: String? = nil,
            expiresAt: Int64? = nil
        ) {
            self.id = id
            self.source = source
            self.channel = channel
            self.destination = destination
            self.dueAt = dueAt
            self.held = held
            self.expiresAt = expiresAt
        }
    }

    public var messageID: String
    public var items: [Item]
    public var reason: String?
    /// Who asked (`token:NAME`, `cli:USER`).
    public var actor: String
    public var at: Int64
    public var maxResends: Int
    public var minInterval: Int64

    public init(
        messageID: String, items: [Item], reason: String?, actor: String, at: Int64, maxResends: Int, minInterval: Int64
    ) {
        self.messageID = messageID
        self.items = items
        self.reason = reason
        self.actor = actor
        self.at = at
        self.maxResends = maxResends
        self.minInterval = minInterval
    }

    /// Why the guard rails refuse another resend of a message, or nil. `lastSend` is the message's
    /// last resend, or its creation when it was never resent.
    public static func refusal(resendCount: Int, lastSend: Int64, maxResends: Int, minInterval: Int64, now: Int64) -> String? {
        if resendCount >= maxResends {
            return "the message was already resent \(resendCount) time\(resendCount == 1 ? "" : "s") (the most allowed is \(maxResends))"
        }
        if now - lastSend < minInterval {
            let ago = DurationText.format(max(now - lastSend, 0) / 1000 * 1000)
            return "the message was last sent \(ago) ago; the minimum interval between sends is \(DurationText.format(minInterval))"
                + " (next possible at \(Timestamps.format(lastSend + minInterval, fractionalSeconds: false)))"
        }
        return nil
    }
}
