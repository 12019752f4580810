/// Engagement with one template, for one tier, locale and channel, over a period.
///
/// Counts are of deliveries (resends included: each is a delivery of its own), each counted once
/// however many events it has: `sent` had a `sent` event, `delivered` a provider's receipt,
/// `opened` an open or a click by a person (a click implies the open, also when images were
/// blocked), `clicked` a click by a person, `machineOpened` only machine opens (mail privacy
/// proxies, link scanners — see ``EngagementActor``).
public struct TemplateStats: Sendable, Equatable {
    public var template: String
    /// Empty for messages without a client.
    public var tier: String
    public var locale: String
    public var channel: String
    public var deliveries: Int
    public var sent: Int
    public var delivered: Int
    public var opened: Int
    public var machineOpened: Int
    public var clicked: Int
    public var bounced: Int
    public var failed: Int

    public init(
        template: String, tier: String, locale: String, channel: String, deliveries: Int = 0, sent: Int = 0,
        delivered: Int = 0, opened: Int = 0, machineOpened: Int = 0, clicked: Int = 0, bounced: Int = 0, failed: Int = 0
    ) {
        self.template = template
        self.tier = tier
        self.locale = locale
        self.channel = channel
        self.deliveries = deliveries
        self.sent = sent
        self.delivered = delivered
        self.opened = opened
        self.machineOpened = machineOpened
        self.clicked = clicked
        self.bounced = bounced
        self.failed = failed
    }

    /// Opened ÷ sent, or nil before anything was sent.
    public var openRate: Double? { sent > 0 ? Double(opened) / Double(sent) : nil }
    /// Clicked ÷ sent.
    public var clickRate: Double? { sent > 0 ? Double(clicked) / Double(sent) : nil }
    /// Clicked ÷ opened.
    public var clickToOpenRate: Double? { opened > 0 ? Double(clicked) / Double(opened) : nil }
}
