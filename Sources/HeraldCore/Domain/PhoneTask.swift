/// A call the owning CSM is asked to make: made when a `phone` delivery is dispatched, completed by
/// the CSM with an outcome that moves the delivery on.
public struct PhoneTask: Sendable, Equatable {
    public enum Status: String, Sendable, CaseIterable {
        case open, done
        /// Its message was cancelled before the call was made (`completedBy` cancelled it); no outcome.
        case cancelled
    }

    /// What came of the call.
    public enum Outcome: String, Sendable, CaseIterable {
        /// Spoke to the contact: the delivery is `delivered`.
        case reached
        /// Left a voicemail: the message is with the contact, so `delivered` too (the note says so).
        case voicemail
        /// Nobody answered: a follow-up task, until the channel's `max_attempts`; then `failed`.
        case noAnswer = "no_answer"
        /// The number is not the contact's: `failed`, and the number is suppressed for calls and SMS.
        case wrongNumber = "wrong_number"
    }

    public var id: String
    public var deliveryID: String
    public var messageID: String
    public var channel: String
    public var clientID: String?
    public var clientName: String?
    /// The CSM's email (or name when they have no email); nil when the message names no client.
    public var assignee: String?
    public var assigneeName: String?
    public var contactName: String?
    /// E.164.
    public var phone: String
    /// Why to call (the phone template's `subject`, or the message subject).
    public var reason: String
    /// What to say (the phone template's body, or the message text).
    public var talkingPoints: String
    public var dueAt: Int64
    /// 1 for the first call, 2 for the first follow-up…
    public var attempt: Int
    public var status: Status
    public var outcome: Outcome?
    public var note: String?
    public var createdAt: Int64
    public var completedAt: Int64?
    /// The API token or CLI user that completed it.
    public var completedBy: String?
    /// When the manager was told it is overdue.
    public var escalatedAt: Int64?

    public init(
        id: String, deliveryID: String, messageID: String, channel: String, clientID: String?, clientName: String?,
        assignee: String?, assigneeName: String?, contactName: String?, phone: String, reason: String,
        talkingPoints: String, dueAt: Int64, attempt: Int, status: Status = .open, outcome: Outcome? = nil,
        note: String? = nil, createdAt: Int64, completedAt: Int64? = nil, completedBy: String? = nil,
        escalatedAt: Int64? = nil
    ) {
        self.id = id
        self.deliveryID = deliveryID
        self.messageID = messageID
        self.channel = channel
        self.clientID = clientID
        self.clientName = clientName
        self.assignee = assignee
        self.assigneeName = assigneeName
        self.contactName = contactName
        self.phone = phone
        self.reason = reason
        self.talkingPoints = talkingPoints
        self.dueAt = dueAt
        self.attempt = attempt
        self.status = status
        self.outcome = outcome
        self.note = note
        self.createdAt = createdAt
        self.completedAt = completedAt
        self.completedBy = completedBy
        self.escalatedAt = escalatedAt
    }

    /// Open and more than `grace` past its due time.
    public func isOverdue(now: Int64, grace: Int64) -> Bool {
        status == .open && dueAt + grace <= now
    }
}

/// Filters for listing tasks.
public struct TaskQuery: Sendable, Equatable {
    /// The CSM's email (case-insensitive), or `unassigned`.
    public var assignee: String?
    public var status: PhoneTask.Status?
    public var clientID: String?
    /// Only the tasks these messages made (empty: any message's).
    public var messageIDs: [String] = []
    /// Only open tasks due at or before this instant (epoch ms): the overdue list.
    public var dueBefore: Int64?
    /// Only open tasks not yet escalated to the manager.
    public var notEscalated = false
    /// Continue after this task id (exclusive).
    public var cursor: String?
    public var limit: Int
    /// Newest first (the cursor then continues towards older tasks): the latest outcomes.
    public var newestFirst = false

    public init(
        assignee: String? = nil, status: PhoneTask.Status? = nil, clientID: String? = nil, dueBefore: Int64? = nil,
        cursor: String? = nil, limit: Int = 100
    ) {
        self.assignee = assignee
        self.status = status
        self.clientID = clientID
        self.dueBefore = dueBefore
        self.cursor = cursor
        self.limit = limit
    }
}

/// A completed call as the store applies it in one transaction: the task closes, the delivery
/// moves, a follow-up task (and its notices) is made, the number is flagged.
public struct TaskCompletion: Sendable, Equatable {
    public var taskID: String
    public var outcome: PhoneTask.Outcome
    public var note: String?
    public var actor: String
    public var at: Int64
    /// The delivery's new state (`delivered` or `failed`), or nil to leave it `sent`.
    public var deliveryState: DeliveryState?
    public var detail: String
    /// The next call after `no_answer`, with the notices telling the CSM about it.
    public var followUp: PhoneTask?
    public var notices: [PlannedMessage]
    /// Suppress the number for calls and SMS (wrong number).
    public var flagNumber: Bool

    public init(
        taskID: String, outcome: PhoneTask.Outcome, note: String?, actor: String, at: Int64,
        deliveryState: DeliveryState?, detail: String, followUp: PhoneTask? = nil, notices: [PlannedMessage] = [],
        flagNumber: Bool = false
    ) {
        self.taskID = taskID
        self.outcome = outcome
        self.note = note
        self.actor = actor
        self.at = at
        self.deliveryState = deliveryState
        self.detail = detail
        self.followUp = followUp
        self.notices = notices
        self.flagNumber = flagNumber
    }
}

/// A task to open with the notices that tell its CSM about it.
public struct TaskOpening: Sendable, Equatable {
    public var task: PhoneTask
    public var notices: [PlannedMessage]

    public init(task: PhoneTask, notices: [PlannedMessage]) {
        self.task = task
        self.notices = notices
    }
}
