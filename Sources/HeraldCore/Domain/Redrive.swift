/// Sending again what gave up: after an outage longer than the retry budget, deliveries are `dead`
/// (or `failed`, when a provider refused them for a reason the operator has since fixed, such as a
/// revoked key). A redrive gives each one a fresh delivery on the same channel and address — a new
/// id with a full retry budget, `purpose` `redrive` — and leaves the old one's history as it was,
/// with a `redriven` event naming the new delivery, the actor and the reason.
///
/// Not redriven (each reported with its reason): deliveries whose message expired, addresses
/// suppressed since, deliveries whose fallback already took over (the next channel of the tier's
/// chain was queued when they gave up), and deliveries redriven before.
public struct RedriveRequest: Sendable, Equatable {
    /// The states to pick up: `dead`, `failed` or both.
    public var states: [DeliveryState]
    public var channel: String?
    /// When the delivery gave up (its last change, epoch ms): at or after `since`, before `until`.
    public var since: Int64?
    public var until: Int64?
    /// Continue after this delivery id (the previous page's ``RedrivePage/nextCursor``).
    public var after: String?
    /// At most this many deliveries are looked at (redriven or skipped) in one call.
    public var limit: Int
    public var dryRun: Bool
    public var actor: String
    public var reason: String?
    public var now: Int64

    public static let redrivable: Set<DeliveryState> = [.dead, .failed]

    /// `since`/`until` as written by a person: an RFC 3339 time, or a duration back from `now`
    /// (`24h` is a day ago).
    public static func time(_ text: String, now: Int64) -> Int64? {
        if let millis = Timestamps.parse(text) { return millis }
        return DurationText.milliseconds(text).map { now - $0 }
    }

    public init(
        states: [DeliveryState] = [.dead], channel: String? = nil, since: Int64? = nil, until: Int64? = nil,
        after: String? = nil, limit: Int = 500, dryRun: Bool = false, actor: String, reason: String? = nil, now: Int64
    ) {
        self.states = states
        self.channel = channel
        self.since = since
        self.until = until
        self.after = after
        self.limit = limit
        self.dryRun = dryRun
        self.actor = actor
        self.reason = reason
        self.now = now
    }
}

/// One delivery a redrive looked at.
public struct RedriveItem: Sendable, Equatable {
    /// The delivery that gave up.
    public var deliveryID: String
    public var messageID: String
    public var channel: String
    public var destination: String
    public var state: DeliveryState
    public var attempts: Int
    public var lastError: String?
    /// The delivery made to send it again; nil in a dry run and for skipped ones.
    public var newDeliveryID: String?
    /// Why it was not redriven; nil when it was (or would be, in a dry run).
    public var skipped: String?

    public init(
        deliveryID: String, messageID: String, channel: String, destination: String, state: DeliveryState, attempts: Int,
        lastError: String?, newDeliveryID: String? = nil, skipped: String? = nil
    ) {
        self.deliveryID = deliveryID
        self.messageID = messageID
        self.channel = channel
        self.destination = destination
        self.state = state
        self.attempts = attempts
        self.lastError = lastError
        self.newDeliveryID = newDeliveryID
        self.skipped = skipped
    }
}

/// What one call did, oldest delivery first.
public struct RedrivePage: Sendable, Equatable {
    public var items: [RedriveItem]
    /// Set when `limit` deliveries were looked at and more may match: pass it as `after`.
    public var nextCursor: String?

    public init(items: [RedriveItem], nextCursor: String?) {
        self.items = items
        self.nextCursor = nextCursor
    }

    public var redriven: [RedriveItem] { items.filter { $0.skipped == nil } }
    public var skipped: [RedriveItem] { items.filter { $0.skipped != nil } }
}
