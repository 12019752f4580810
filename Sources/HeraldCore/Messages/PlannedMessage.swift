/// A message with ids assigned and its deliveries expanded, ready to be stored in one commit.
public struct PlannedMessage: Sendable, Equatable {
    public var message: Message
    public var deliveries: [Delivery]
    /// See ``MessageRequest/fingerprint``; empty for a message without an idempotency key, where
    /// nothing ever compares it (hashing the canonical request was 3 % of an enqueue's CPU).
    public var fingerprint: String
    /// Who asked (`api`, `cli`, a token name): kept on the message (``Message/actor``) and written
    /// on the events the enqueue stores.
    public var actor: String { message.actor ?? "" }
    /// Routes considered and left out, written as `skipped` events.
    public var skipped: [String]
    public var escalation: PlannedEscalation?

    /// Expands a validated request: one delivery per destination, `scheduled` when `send_at`
    /// is in the future, `queued` otherwise.
    public init(request: MessageRequest, now: Int64, actor: String) {
        let id = HeraldID.make(.message)
        message = Message(
            id: id, idempotencyKey: request.idempotencyKey, clientID: request.clientID, template: request.template,
            subject: request.subject, text: request.text, html: request.html, data: request.dataText,
            locale: request.locale, priority: request.priority, category: request.category, sendAt: request.sendAt,
            expiresAt: request.expiresAt, replyTo: request.replyTo, tracking: request.tracking, createdAt: now)
        message.mentions = request.mentions
        message.actor = actor
        message.tier = request.tier
        let waiting = DeliveryState.onEnqueue(sendAt: request.sendAt, now: now)
        deliveries = request.destinations.map { destination in
            let state: DeliveryState = destination.suppressedReason != nil ? .suppressed : waiting
            var delivery = Delivery(
                id: HeraldID.make(.delivery), messageID: id, channel: destination.channel,
                destination: destination.address, state: state, attempts: 0,
                dueAt: max(request.sendAt ?? now, now), expiresAt: request.expiresAt,
                lastError: destination.suppressedReason.map { "suppressed: \($0)" }, providerID: nil, createdAt: now,
                updatedAt: now)
            delivery.fallback = destination.fallback
            return delivery
        }
        skipped = request.skipped
        escalation = request.escalation
        fingerprint = request.idempotencyKey == nil ? "" : request.fingerprint
    }
}
