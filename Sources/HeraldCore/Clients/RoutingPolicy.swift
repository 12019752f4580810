import Foundation

/// Expands a message about a client into destinations, following the client's tier plan, the
/// message's `channels` override and the contacts' opt-outs. Pure: the same inputs give the same
/// plan, and every destination says which rule made it (for `dry_run` and `herald route`).
public struct RoutingPolicy: Sendable {
    public var tiers: [String: TierPlan]
    /// Channel kinds by channel name.
    public var channels: [String: ChannelKind]

    /// The channels that report opens (email's pixel): where a message can count as unopened.
    public var openableChannels: [String] { channels.filter { $0.value == .email }.map(\.key).sorted() }

    public init(tiers: [String: TierPlan], channels: [String: ChannelKind]) {
        self.tiers = tiers
        self.channels = channels
    }

    /// One routed destination, or one that was considered and left out (with why).
    public struct Route: Sendable, Equatable {
        public var channel: String
        public var address: String?
        /// Empty when the destination is used; otherwise why it is suppressed or skipped.
        public var suppressedReason: String?
        /// The rule that made this route, in words.
        public var rule: String
        public var contactID: String?
        /// Where to go if this route fails permanently (the tier's fallback channels, for the same person).
        public var fallback: [FallbackStep] = []
    }

    /// One route per contact with an address on a person-addressed channel (email, SMS); opted-out
    /// contacts are kept as suppressed routes, and no contact at all is one route without an address.
    func contactRoutes(
        _ client: Client, channel: String, origin: String, category: MessageRequest.Category, what: String,
        address: (Contact) -> String?
    ) -> [Route] {
        let rule = "\(origin): \(channel) to every contact with \(what)"
        let people = client.contacts.filter { address($0) != nil }
        if people.isEmpty {
            return [Route(channel: channel, address: nil, suppressedReason: "no contact has \(what)", rule: rule, contactID: nil)]
        }
        return people.map { contact in
            Route(
                channel: channel, address: address(contact),
                suppressedReason: contact.optOuts.contains(category)
                    ? "contact \(contact.id) opted out of \(category.rawValue) messages" : nil,
                rule: rule, contactID: contact.id)
        }
    }

    /// One call per message: the CSM (or, `automated`, a voice channel) calls the first contact with a
    /// phone who has not opted out of this category.
    func phoneRoute(
        _ client: Client, channel: String, origin: String, category: MessageRequest.Category, automated: Bool = false
    ) -> Route {
        let caller = client.csm.map { "the CSM \($0.name)" } ?? "a CSM (the client has none: the task is unassigned)"
        let rule = automated
            ? "\(origin): \(channel) automated call to the first contact with a phone"
            : "\(origin): \(channel) call by \(caller)"
        let people = client.contacts.filter { $0.phone != nil }
        guard !people.isEmpty else {
            return Route(channel: channel, address: nil, suppressedReason: "no contact has a phone", rule: rule, contactID: nil)
        }
        guard let contact = people.first(where: { !$0.optOuts.contains(category) }) else {
            return Route(channel: channel, address: people[0].phone, suppressedReason:
                "every contact with a phone opted out of \(category.rawValue) messages", rule: rule, contactID: people[0].id)
        }
        return Route(channel: channel, address: contact.phone, suppressedReason: nil, rule: rule, contactID: contact.id)
    }

    /// The tier's fallback channels as destinations for one route: the same contact's address on
    /// email, the client's endpoint on webhook channels. Channels without an address are left out.
    func fallback(for route: Route, client: Client, plan: TierPlan) -> [FallbackStep] {
        plan.fallback.compactMap { name -> FallbackStep? in
            guard name != route.channel else { return nil }
            switch channels[name] {
            case .email?:
                let contact = client.contacts.first { $0.id == route.contactID } ?? client.contacts.first { $0.email != nil }
                return contact?.email.map { FallbackStep(channel: name, destination: $0) }
            case .sms?, .phone?, .voice?:
                let contact = client.contacts.first { $0.id == route.contactID } ?? client.contacts.first { $0.phone != nil }
                return contact?.phone.map { FallbackStep(channel: name, destination: $0) }
            case .webhook?, .wecom?, .dingtalk?, .feishu?:
                return client.endpoints[name].map { FallbackStep(channel: name, destination: $0) }
            case nil:
                return nil
            }
        }
    }

    /// When a message about `client` may first go out: its `send_at` (or now), moved to the end of
    /// the tier's quiet hours in the client's time zone unless the message is urgent. Returns nil
    /// when nothing is held, or the release time and the reason.
    public func hold(for client: Client, sendAt: Int64?, priority: MessageRequest.Priority, now: Int64) -> (Int64, String)? {
        guard let window = quietWindow(for: client, priority: priority) else { return nil }
        let due = max(sendAt ?? now, now)
        let release = window.release(at: due)
        guard release > due else { return nil }
        return (release, "held for quiet hours \(window) of tier \(client.tier)")
    }

    /// The quiet hours a message about `client` keeps — its holds, fallbacks, escalation and
    /// retries: those of `tier` (the tier the message was accepted under, when it recorded one; else
    /// the client's) in the client's time zone. Nil for urgent messages and tiers without quiet hours.
    public func quietWindow(for client: Client, tier: String? = nil, priority: MessageRequest.Priority) -> QuietWindow? {
        guard priority != .urgent, let hours = tiers[tier ?? client.tier]?.quietHours else { return nil }
        return QuietWindow(hours: hours, timezone: .named(client.timezone))
    }

    /// Whether any tier has quiet hours (else nothing is ever held).
    public var hasQuietHours: Bool { tiers.values.contains { $0.quietHours != nil } }

    /// `steps` keeping the quiet window of a message about `client` (see ``FallbackStep/release(at:)``).
    public func keepingQuietHours(_ steps: [FallbackStep], for client: Client, priority: MessageRequest.Priority) -> [FallbackStep] {
        guard let window = quietWindow(for: client, priority: priority) else { return steps }
        return steps.map { step in
            var step = step
            step.quiet = window
            return step
        }
    }

    /// The escalation timer for a message about `client`, if its tier has one and the target
    /// channel has an address for this client (its endpoint, or the CSM's email for email channels).
    /// The timer runs from `startsAt`, when the message goes out (its `send_at` after any quiet-hours
    /// hold, else now): a message held or scheduled cannot have been opened before it was sent. A
    /// due time inside the tier's quiet hours moves to their end, as a message would (not when urgent).
    public func escalation(for client: Client, startsAt: Int64, priority: MessageRequest.Priority)
        -> (PlannedEscalation?, String?)
    {
        guard let plan = tiers[client.tier], let rule = plan.escalation else { return (nil, nil) }
        let destination: String?
        switch channels[rule.channel] {
        case .webhook?, .wecom?, .dingtalk?, .feishu?: destination = client.endpoints[rule.channel]
        case .email?: destination = client.csm?.email
        case .sms?, .phone?, .voice?: destination = client.contacts.first { $0.phone != nil }?.phone
        case nil: destination = nil
        }
        guard let destination else {
            return (nil, "escalation via \(rule.channel): the client has no address on it")
        }
        let due = startsAt + rule.after
        let release = hold(for: client, sendAt: due, priority: priority, now: due)?.0 ?? due
        return (PlannedEscalation(dueAt: release, unless: rule.unless, channel: rule.channel, destination: destination), nil)
    }

    /// The routes for a message about `client`.
    /// - Parameter override: the message's `channels`, replacing the tier's channels when given.
    public func routes(for client: Client, override: [String]?, category: MessageRequest.Category)
        throws(HeraldError) -> [Route]
    {
        guard let plan = tiers[client.tier] else {
            throw .invalid(field: "client_id", "client '\(client.id)' has tier '\(client.tier)', which herald.toml does not define")
        }
        let wanted = override ?? plan.channels
        let origin = override == nil ? "tier \(plan.name)" : "channels override"
        var routes: [Route] = []
        for name in wanted {
            guard let kind = channels[name] else {
                throw .invalid(field: override == nil ? "client_id" : "channels", "channel '\(name)' is not configured")
            }
            switch kind {
            case .email:
                routes += contactRoutes(client, channel: name, origin: origin, category: category, what: "an email") { $0.email }
            case .sms:
                routes += contactRoutes(client, channel: name, origin: origin, category: category, what: "a phone") { $0.phone }
            case .phone:
                routes.append(phoneRoute(client, channel: name, origin: origin, category: category))
            case .voice:
                routes.append(phoneRoute(client, channel: name, origin: origin, category: category, automated: true))
            case .webhook, .wecom, .dingtalk, .feishu:
                let target = kind == .webhook ? "registered endpoint" : "group robot"
                if let address = client.endpoints[name] {
                    routes.append(Route(channel: name, address: address, suppressedReason: nil,
                                        rule: "\(origin): \(name) to the client's \(target)", contactID: nil))
                } else {
                    routes.append(Route(channel: name, address: nil, suppressedReason: "the client has no \(name) endpoint",
                                        rule: "\(origin): \(name) to the client's \(target)", contactID: nil))
                }
            }
        }
        if !plan.fallback.isEmpty {
            for index in routes.indices where routes[index].address != nil && routes[index].suppressedReason == nil {
                routes[index].fallback = fallback(for: routes[index], client: client, plan: plan)
            }
        }
        return routes
    }

    /// The same person's address on `channel`: the contact whose email or phone is `destination`,
    /// or the client's endpoint for webhook and robot channels. Nil when there is none.
    public func address(for destination: String, on channel: String, client: Client?) -> String? {
        guard let kind = channels[channel] else { return nil }
        let contact = client?.contacts.first { $0.email?.lowercased() == destination.lowercased() || $0.phone == destination }
        switch kind {
        case .email: return contact?.email ?? (kind.problem(with: destination) == nil ? destination : nil)
        case .sms, .phone, .voice: return contact?.phone ?? (kind.problem(with: destination) == nil ? destination : nil)
        case .webhook, .wecom, .dingtalk, .feishu: return client?.endpoints[channel]
        }
    }
}
