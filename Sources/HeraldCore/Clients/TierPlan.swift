/// "After `after`, unless a delivery of the message reached `unless`, send it via `channel`."
public struct Escalation: Sendable, Equatable {
    /// Milliseconds after the message went out (its `send_at` after any quiet-hours hold).
    public var after: Int64
    /// `opened` or `clicked`: the engagement that makes the escalation unnecessary.
    public var unless: DeliveryState
    public var channel: String

    public init(after: Int64, unless: DeliveryState, channel: String) {
        self.after = after
        self.unless = unless
        self.channel = channel
    }
}

/// A tier's own resend guard rails, over `[resend]` (`[tiers.<name>] resend = { … }`): a
/// high-touch tier may allow more resends, sooner, than a tech-touch one.
public struct TierResendRules: Sendable, Equatable {
    /// Resends of one message; nil: `[resend] max_per_message`.
    public var maxPerMessage: Int?
    /// Time from the last send to the next resend (ms); nil: `[resend] min_interval`.
    public var minInterval: Int64?

    public init(maxPerMessage: Int? = nil, minInterval: Int64? = nil) {
        self.maxPerMessage = maxPerMessage
        self.minInterval = minInterval
    }
}

/// How a value tier is served: which channels every message fans out to, and which channels
/// stand in when one fails permanently. Names are configuration (`[tiers.<name>]`), not code.
public struct TierPlan: Sendable, Equatable {
    public var name: String
    /// Channels every message goes out on (e.g. `["email", "wecom"]` for strategic clients).
    public var channels: [String]
    /// Used only when a channel of `channels` fails permanently, in order.
    public var fallback: [String]
    /// Whether open/click tracking applies to this tier's messages.
    public var tracking: Bool
    /// Non-urgent messages arriving in this window (client's time zone) are held until it ends.
    public var quietHours: QuietHours?
    public var escalation: Escalation?
    /// Resend guard rails of this tier's messages, where they differ from `[resend]`.
    public var resend: TierResendRules?

    public init(name: String, channels: [String], fallback: [String] = [], tracking: Bool = true, quietHours: QuietHours? = nil) {
        self.name = name
        self.channels = channels
        self.fallback = fallback
        self.tracking = tracking
        self.quietHours = quietHours
        escalation = nil
    }
}
