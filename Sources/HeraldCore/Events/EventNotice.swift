/// One event on its way to one subscription (a row of the notice outbox, apart from message deliveries).
/// Its id is the `webhook-id` the receiver deduplicates on; it stays the same across retries.
public struct EventNotice: Sendable, Equatable {
    public enum State: String, Sendable, Equatable, CaseIterable {
        /// Waiting for its turn (or for a retry): notices of one delivery go out one at a time, in order.
        case pending
        case delivered
        /// Retries gave up: kept apart until redriven or purged.
        case dead
    }

    public var id: String
    public var subscriptionID: String
    public var eventID: String
    public var topic: EventTopic
    public var deliveryID: String
    /// 1, 2, 3… per subscription and delivery, in the order the events happened.
    public var sequence: Int
    /// The JSON body sent (`{"type", "timestamp", "data"}`).
    public var payload: String
    public var state: State
    public var attempts: Int
    public var dueAt: Int64
    public var lastError: String?
    public var createdAt: Int64
    public var updatedAt: Int64

    public init(
        id: String, subscriptionID: String, eventID: String, topic: EventTopic, deliveryID: String, sequence: Int,
        payload: String, state: State, attempts: Int, dueAt: Int64, lastError: String?, createdAt: Int64, updatedAt: Int64
    ) {
        self.id = id
        self.subscriptionID = subscriptionID
        self.eventID = eventID
        self.topic = topic
        self.deliveryID = deliveryID
        self.sequence = sequence
        self.payload = payload
        self.state = state
        self.attempts = attempts
        self.dueAt = dueAt
        self.lastError = lastError
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// What became of one attempt to post a notice.
public struct NoticeResult: Sendable, Equatable {
    public enum Outcome: Sendable, Equatable {
        case delivered
        case retry(at: Int64)
        case dead
    }

    public var noticeID: String
    public var outcome: Outcome
    public var statusCode: Int?
    public var error: String?
    public var at: Int64

    public init(noticeID: String, outcome: Outcome, statusCode: Int?, error: String?, at: Int64) {
        self.noticeID = noticeID
        self.outcome = outcome
        self.statusCode = statusCode
        self.error = error
        self.at = at
    }
}

/// Notices of one subscription by state.
public struct NoticeCounts: Sendable, Equatable {
    public var pending = 0
    public var delivered = 0
    public var dead = 0
    public init(pending: Int = 0, delivered: Int = 0, dead: Int = 0) {
        self.pending = pending
        self.delivered = delivered
        self.dead = dead
    }
}
