/// A stored message: what was asked for, as accepted.
public struct Message: Sendable, Equatable, Codable {
    public var id: String
    public var idempotencyKey: String?
    public var clientID: String?
    public var template: String?
    public var subject: String?
    public var text: String?
    public var html: String?
    /// The template data as JSON text (an object).
    public var data: String
    public var locale: String?
    public var priority: MessageRequest.Priority
    public var category: MessageRequest.Category
    public var sendAt: Int64?
    public var expiresAt: Int64?
    /// `Reply-To` for emails (the client's CSM, set by routing).
    public var replyTo: String?
    /// Whether open/click tracking may be applied (false when the client's tier turns it off).
    public var tracking: Bool
    /// Whom robot messages @-mention, expanded (see ``Mentions``).
    public var mentions: [String] = []
    /// Resends so far, and when the last one was made.
    public var resendCount = 0
    public var lastResentAt: Int64?
    public var createdAt: Int64
    /// Who enqueued it (`api`, `cli`, a token name); nil for messages stored before Herald kept it
    /// here. Its deliveries' `queued`/`scheduled` events are derived from it (see ``EnqueueEvents``).
    public var actor: String?
    /// The client's tier when the message was accepted; nil without a registered client, and for
    /// messages stored before Herald kept it (template stats then use the client's tier today).
    public var tier: String?

    public init(
        id: String, idempotencyKey: String?, clientID: String?, template: String?, subject: String?, text: String?,
        html: String?, data: String, locale: String?, priority: MessageRequest.Priority,
        category: MessageRequest.Category, sendAt: Int64?, expiresAt: Int64?, replyTo: String? = nil, tracking: Bool = true,
        createdAt: Int64
    ) {
        self.replyTo = replyTo
        self.tracking = tracking
        self.id = id
        self.idempotencyKey = idempotencyKey
        self.clientID = clientID
        self.template = template
        self.subject = subject
        self.text = text
        self.html = html
        self.data = data
        self.locale = locale
        self.priority = priority
        self.category = category
        self.sendAt = sendAt
        self.expiresAt = expiresAt
        self.createdAt = createdAt
    }
}

/// One message on one channel to one destination.
public struct Delivery: Sendable, Equatable, Codable {
    public var id: String
    public var messageID: String
    public var channel: String
    public var destination: String
    public var state: DeliveryState
    /// Attempts started so far.
    public var attempts: Int
    /// When it is next due (epoch ms).
    public var dueAt: Int64
    public var expiresAt: Int64?
    public var lastError: String?
    public var providerID: String?
    /// Why this delivery exists beyond the message's own routing: `escalation`, `fallback`, or nil.
    public var purpose: String?
    /// Where to go next if this delivery fails permanently.
    public var fallback: [FallbackStep] = []
    /// SMS: the parts it was sent as.
    public var segments: Int?
    /// For resends: the delivery this one resends.
    public var resendOf: String?
    public var createdAt: Int64
    public var updatedAt: Int64

    public init(
        id: String, messageID: String, channel: String, destination: String, state: DeliveryState, attempts: Int,
        dueAt: Int64, expiresAt: Int64?, lastError: String?, providerID: String?, purpose: String? = nil,
        segments: Int? = nil, createdAt: Int64, updatedAt: Int64
    ) {
        self.segments = segments
        self.purpose = purpose
        self.id = id
        self.messageID = messageID
        self.channel = channel
        self.destination = destination
        self.state = state
        self.attempts = attempts
        self.dueAt = dueAt
        self.expiresAt = expiresAt
        self.lastError = lastError
        self.providerID = providerID
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// One try of a delivery against its provider.
public struct Attempt: Sendable, Equatable, Codable {
    public var id: String
    public var deliveryID: String
    public var number: Int
    public var startedAt: Int64
    public var durationMillis: Int64
    public var statusCode: Int?
    /// `sent`, `retry` or `failed`.
    public var outcome: String
    public var error: String?
    public var providerID: String?

    public init(
        id: String, deliveryID: String, number: Int, startedAt: Int64, durationMillis: Int64, statusCode: Int?,
        outcome: String, error: String?, providerID: String?
    ) {
        self.id = id
        self.deliveryID = deliveryID
        self.number = number
        self.startedAt = startedAt
        self.durationMillis = durationMillis
        self.statusCode = statusCode
        self.outcome = outcome
        self.error = error
        self.providerID = providerID
    }
}

/// An append-only fact about a message or one of its deliveries.
public struct Event: Sendable, Equatable, Codable {
    public var id: String
    public var messageID: String
    public var deliveryID: String?
    /// `queued`, `scheduled`, `sent`, `retrying`, `failed`, `dead`, `cancelled`, `expired`, `released`…
    public var type: String
    /// The delivery state after the event, when it changed one.
    public var state: DeliveryState?
    public var detail: String?
    /// Who caused it: `api`, `cli`, `dispatcher`, or a token name.
    public var actor: String?
    public var createdAt: Int64

    public init(
        id: String, messageID: String, deliveryID: String?, type: String, state: DeliveryState?, detail: String?,
        actor: String?, createdAt: Int64
    ) {
        self.id = id
        self.messageID = messageID
        self.deliveryID = deliveryID
        self.type = type
        self.state = state
        self.detail = detail
        self.actor = actor
        self.createdAt = createdAt
    }
}

/// A message with everything that happened to it.
public struct MessageDetail: Sendable, Equatable {
    public var message: Message
    public var deliveries: [Delivery]
    public var attempts: [Attempt]
    public var events: [Event]

    public init(message: Message, deliveries: [Delivery], attempts: [Attempt], events: [Event]) {
        self.message = message
        self.deliveries = deliveries
        self.attempts = attempts
        self.events = events
    }
}
