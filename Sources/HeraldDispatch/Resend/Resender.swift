import CoreMetrics
import HeraldCore
import HeraldStore

/// Decides and makes resends: which deliveries of a message go out again, to whom and when, within
/// the guard rails (`[resend]`, or the client's tier's own `resend`: resends per message, interval
/// since the last send; opened messages only when forced; quiet hours of the client's tier). Used by
/// the API, the CLI and the dashboard.
public struct Resender: Sendable {
    let store: any Store
    let routing: RoutingPolicy
    let settings: HeraldConfig.Resend

    public init(store: any Store, config: HeraldConfig) {
        self.store = store
        routing = config.routing
        settings = config.resend
    }

    /// What a bulk resend selects.
    public struct Filter: Sendable, Equatable {
        public var template: String?
        public var tier: String?
        public var clientIDs: [String] = []
        /// Messages at least this old (ms) and, unless `force`, never opened.
        public var unopenedFor: Int64
        public var channel: String?
        public var force = false

        public init(template: String? = nil, tier: String? = nil, clientIDs: [String] = [], unopenedFor: Int64,
                    channel: String? = nil, force: Bool = false) {
            self.template = template
            self.tier = tier
            self.clientIDs = clientIDs
            self.unopenedFor = unopenedFor
            self.channel = channel
            self.force = force
        }
    }

    /// A message a bulk resend leaves out, and why.
    public struct Skip: Sendable, Equatable {
        public var messageID: String
        public var reason: String

        public init(messageID: String, reason: String) {
            self.messageID = messageID
            self.reason = reason
        }
    }

    /// The resend of one message. Throws `notFound`, `invalid` (unknown channel) or `conflict` (a
    /// guard rail, opened without `force`, nothing to resend).
    public func plan(messageID: String, channel: String?, reason: String?, force: Bool, actor: String, now: Int64)
        async throws -> ResendPlan
    {
        if let channel, routing.channels[channel] == nil {
            throw HeraldError.invalid(field: "channel", "channel '\(channel)' is not configured")
        }
        guard let detail = try await store.message(id: messageID) else { throw HeraldError.notFound("no message with id \(messageID)") }
        let client = try await detail.message.clientID.asyncMap { try await store.client(id: $0) } ?? nil
        return try plan(detail.message, detail.deliveries, client: client, channel: channel, reason: reason, force: force, actor: actor, now: now)
    }

    /// What a bulk resend would do: a plan per message, the messages it leaves out, and what was
    /// read to decide (a preview shows it without reading each message again).
    public struct BulkPlan: Sendable {
        public var plans: [ResendPlan] = []
        public var skipped: [Skip] = []
        /// The planned messages, by id.
        public var messages: [String: Message] = [:]
        /// The clients the planned messages are about, by id (nil: no such client).
        public var clients: [String: Client?] = [:]

        public init() {}
    }

    /// Plans for every message a filter selects (up to `[resend] bulk_limit`), and those it skips.
    public func bulk(_ filter: Filter, reason: String?, actor: String, now: Int64) async throws -> BulkPlan {
        if let channel = filter.channel, routing.channels[channel] == nil {
            throw HeraldError.invalid(field: "channel", "channel '\(channel)' is not configured")
        }
        var query = MessageQuery(template: filter.template, limit: 500)
        query.tier = filter.tier
        query.clientIDs = filter.clientIDs
        query.before = now - filter.unopenedFor
        query.engagement = filter.force ? nil : .unopened
        var bulk = BulkPlan()
        while bulk.plans.count + bulk.skipped.count < settings.bulkLimit {
            let page = try await store.messages(matching: query)
            for (message, deliveries) in page.items where bulk.plans.count + bulk.skipped.count < settings.bulkLimit {
                var client: Client? = nil
                if let id = message.clientID {
                    if let known = bulk.clients[id] { client = known } else {
                        client = try await store.client(id: id)
                        bulk.clients[id] = client
                    }
                }
                do throws(HeraldError) {
                    bulk.plans.append(try plan(message, deliveries, client: client, channel: filter.channel, reason: reason,
                                               force: filter.force, actor: actor, now: now))
                    bulk.messages[message.id] = message
                } catch {
                    bulk.skipped.append(Skip(messageID: message.id, reason: error.detail))
                }
            }
            guard let next = page.nextCursor else { break }
            query.cursor = next
        }
        return bulk
    }

    /// Makes the deliveries of a plan (the store checks the guard rails again, atomically).
    public func execute(_ plan: ResendPlan) async throws -> [Delivery] {
        let made = try await store.resend(plan)
        Counter(label: "herald_resends_total").increment(by: made.count)
        return made
    }

    func plan(
        _ message: Message, _ deliveries: [Delivery], client: Client?, channel: String?, reason: String?, force: Bool,
        actor: String, now: Int64
    ) throws(HeraldError) -> ResendPlan {
        if Erasure.erased(deliveries) {
            throw .conflict("its recipient's data was erased (herald erase): the message has no content left to send")
        }
        let engaged = deliveries.filter { $0.state == .opened || $0.state == .clicked }
        if !engaged.isEmpty && !force {
            throw .conflict("the message was already \(engaged.contains { $0.state == .clicked } ? "clicked" : "opened") (\(engaged[0].id)); resend with force to send it anyway")
        }
        // Past its expires_at the sender said it is stale: only a forced resend sends it, without an expiry.
        var expiresAt = message.expiresAt
        if let expiry = expiresAt, expiry <= now {
            guard force else {
                throw .conflict("the message expired at \(Timestamps.format(expiry)); resend with force to send it anyway")
            }
            expiresAt = nil
        }
        let rules = client.flatMap { routing.tiers[$0.tier]?.resend }
        let maxResends = rules?.maxPerMessage ?? settings.maxPerMessage
        let minInterval = rules?.minInterval ?? settings.minInterval
        if let refusal = ResendPlan.refusal(
            resendCount: message.resendCount, lastSend: message.lastResentAt ?? message.createdAt,
            maxResends: maxResends, minInterval: minInterval, now: now)
        {
            throw .conflict(rules == nil ? refusal : refusal + " — the resend rules of tier \(client?.tier ?? "")")
        }
        // The message's own sends (not earlier resends, not calls) that went out or failed.
        let done: Set<DeliveryState> = force
            ? [.sent, .delivered, .opened, .clicked, .failed, .dead, .expired] : [.sent, .delivered, .failed, .dead, .expired]
        let originals = deliveries.filter { d in
            d.resendOf == nil && d.purpose != "resend" && done.contains(d.state) && routing.channels[d.channel] != .phone
        }
        // Opens are only known for email: by default, the email deliveries are what is resent.
        let emails = originals.filter { routing.channels[$0.channel] == .email }
        let sources = emails.isEmpty ? originals : emails
        let hold = client.flatMap { routing.hold(for: $0, sendAt: nil, priority: message.priority, now: now) }
        var items: [ResendPlan.Item] = []
        var seen = Set<String>()
        for source in sources {
            let target = channel ?? source.channel
            let address = target == source.channel
                ? source.destination : routing.address(for: source.destination, on: target, client: client)
            guard let address, seen.insert(target + "\u{0}" + address).inserted else { continue }
            items.append(ResendPlan.Item(
                id: HeraldID.make(.delivery), source: source.id, channel: target, destination: address,
                dueAt: hold?.0 ?? now, held: hold?.1, expiresAt: expiresAt))
        }
        guard !items.isEmpty else {
            let why = sources.isEmpty
                ? "no delivery of it has been sent yet (states: \(deliveries.map(\.state.rawValue).joined(separator: ", ")))"
                : "its recipients have no address on \(channel ?? "their channel")"
            throw .conflict("nothing to resend: \(why)")
        }
        return ResendPlan(
            messageID: message.id, items: items, reason: reason, actor: actor, at: now, maxResends: maxResends,
            minInterval: minInterval)
    }
}
