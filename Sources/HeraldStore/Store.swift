import HeraldCore

/// Herald's storage seam. `SQLiteStore` (embedded, default) and `PostgresStore` (scale-out)
/// implement it; the same test suite runs against both.
///
/// Every method that changes a delivery's state writes the matching ``Event`` in the same
/// transaction. Claims lease deliveries (`lease_until`); leases that run out are claimed again,
/// so delivery is at-least-once.
public protocol Store: AuditStore, SubscriptionStore, SuppressionStore, TokenStore {
    /// Creates or upgrades the schema. Idempotent.
    func migrate() async throws

    /// Durably commits new messages with their deliveries and first events. Returns once the
    /// commit is on disk. Idempotency keys are checked inside the same transaction.
    func enqueue(_ messages: [PlannedMessage]) async throws -> [EnqueueResult]

    /// A message with its deliveries, attempts and events, or nil.
    func message(id: String) async throws -> MessageDetail?

    /// The messages with these ids, each with its deliveries, attempts and events, in the order of
    /// `ids` (ids of no message are left out), read from one snapshot: a page of a timeline.
    func messages(ids: [String]) async throws -> [MessageDetail]

    /// Messages, newest first, filtered, one page at a time.
    func messages(matching query: MessageQuery) async throws -> MessagePage

    /// The deliveries to the messages of `clientIDs` that gave up (`failed` or `dead`) at or after
    /// `since`, among those created at or after `createdSince` (which bounds the read: a delivery
    /// gives up within `[retry] max_age` of its creation): how many in all, and the `limit` that
    /// gave up last, newest first, with their messages. A CSM digest's "what did not arrive".
    func gaveUp(clientIDs: [String], since: Int64, createdSince: Int64, limit: Int) async throws -> GaveUpDeliveries

    /// Cancels the deliveries of a message that have not started, its escalations that have not
    /// fired (an escalation left pending would call about a message its sender stopped) and its open
    /// call tasks. Throws `notFound`, or `conflict` when none is left.
    func cancel(messageID: String, actor: String, now: Int64) async throws -> CancelResult

    /// Leases up to `limit` due deliveries of `channel` (and ones whose lease ran out) to `owner`.
    func claim(channel: String, limit: Int, now: Int64, leaseUntil: Int64, owner: String) async throws
        -> [ClaimedDelivery]

    /// Records finished attempts and the resulting state changes, in one transaction.
    func record(_ results: [DeliveryResult]) async throws

    /// Puts claimed deliveries that were not attempted (rate limit, unhealthy robot) back in the
    /// queue until their time, without counting an attempt; those that give up become `dead`.
    func postpone(_ items: [Postponement], now: Int64) async throws

    /// Attempts on `channel` that started at or after `since` (epoch ms): destination and finish
    /// time, so rate limits survive a restart.
    func recentSends(channel: String, since: Int64) async throws -> [RecentSend]

    /// Calls `wake` whenever another process sharing the store commits new work (an enqueue or a
    /// resend), so idle dispatchers start at once instead of at their next poll; returns when the
    /// calling task is cancelled. A store only one process uses returns at once.
    func watchForWork(_ wake: @escaping @Sendable () -> Void) async throws

    /// Whether several processes share this store, so rate limits must be kept in it (``reserveSlot``)
    /// rather than in each process's memory.
    var sharesRateLimits: Bool { get }

    /// Takes one of `limit` slots of `key` (a robot) until `holdUntil`, or says when the first one
    /// frees; atomic across every process sharing the store. Only used when ``sharesRateLimits``.
    func reserveSlot(key: String, limit: Int, now: Int64, holdUntil: Int64) async throws -> SlotReservation

    /// Moves the end of a slot (the send finished: it counts until a window after that).
    func finishSlot(id: String, holdUntil: Int64) async throws

    /// Gives claimed-but-unstarted deliveries back to the queue (graceful shutdown).
    func release(deliveryIDs: [String], now: Int64) async throws

    /// Extends the leases `owner` still holds on deliveries waiting in its local queue to `until`,
    /// so that a long local queue never outlives its leases; returns how many were still held.
    func renewLeases(deliveryIDs: [String], owner: String, until: Int64) async throws -> Int

    /// Moves unsent deliveries whose `expires_at` has passed to `expired`; returns how many.
    func expireDue(now: Int64, limit: Int) async throws -> Int

    /// Settles escalation timers that are due: skipped when a delivery of the message reached the
    /// `unless` state, otherwise a new delivery is queued. Returns how many new deliveries were made.
    func fireEscalations(now: Int64, limit: Int) async throws -> Int

    /// The earliest time any delivery of these channels becomes due (or its lease runs out), or nil.
    func nextDueTime(channels: [String]) async throws -> Int64?

    /// Records an open or a click (every one is an event; the first by a person moves the delivery to
    /// `opened`/`clicked` where the state machine allows; machines, told by ``EngagementActor``, are
    /// recorded with actor `machine` and move nothing). Returns false for an unknown delivery.
    func recordEngagement(deliveryID: String, kind: TrackedLink.Kind, url: String?, userAgent: String?, at: Int64)
        async throws -> Bool

    /// Applies a provider's delivery receipt (`delivered` or `failed`, when the state machine allows:
    /// receipts arrive out of order and the furthest state is kept) and records it as an event either
    /// way. Returns false unless `deliveryID` exists on `channel` with that provider id.
    /// `unreachable`: the provider says the address cannot receive on this channel (an SMS to a
    /// number that does not exist or is a landline): a failure it moves is recorded as `bounced`
    /// and the address is suppressed on the channel (`channel:NAME`, source `bounce`).
    func recordReceipt(
        deliveryID: String, providerID: String, channel: String, state: DeliveryState, detail: String, unreachable: Bool,
        at: Int64
    ) async throws -> Bool

    /// Closes (status `cancelled`, a `task_cancelled` event) up to `limit` open call tasks whose
    /// message passed its `expires_at` by `now`: what the message was about no longer holds, so the
    /// CSM does not call about it. Returns the ids of the tasks closed.
    func closeTasksOfExpiredMessages(now: Int64, limit: Int) async throws -> [String]

    /// Applies an asynchronous bounce of `deliveryID`, whose destination must be `recipient` (any
    /// case): from `sent` it moves to `failed` and the fallback chain starts; when `addressRefused`,
    /// with a `bounced` event carrying `detail` and the address suppressed (source `bounce`),
    /// otherwise with a `failed` event. One transaction; a repeated report changes nothing.
    func recordBounce(deliveryID: String, recipient: String, addressRefused: Bool, detail: String, at: Int64) async throws
        -> BounceResult

    /// Opens call tasks for claimed `phone` deliveries: each delivery moves to `sent` (its provider id
    /// is the task id) with a `task_created` event, and the notices telling the CSMs are enqueued, all
    /// in one transaction. A delivery that already has its task (a lease ran out half-way) is skipped;
    /// one whose message was cancelled after it was claimed ends `cancelled` instead, with no task and
    /// no notice (the cancel could not stop a delivery in flight; this is where it lands). Returns the
    /// ids of the tasks opened.
    @discardableResult
    func openTasks(_ openings: [TaskOpening], now: Int64) async throws -> Set<String>

    /// Tasks ordered by id (oldest first), filtered, one page at a time.
    func tasks(matching query: TaskQuery) async throws -> [PhoneTask]

    /// One task, or nil.
    func task(id: String) async throws -> PhoneTask?

    /// Closes an open task with its outcome and applies the consequences (delivery state and event,
    /// fallback on failure, follow-up task and notices, number flagged). Throws `notFound`, or
    /// `conflict` when the task is already done.
    func completeTask(_ completion: TaskCompletion) async throws -> PhoneTask

    /// Marks an open task as escalated to the manager and enqueues the manager's notices; false
    /// when the task was completed or escalated meanwhile (nothing is enqueued then).
    func escalateTask(id: String, notices: [PlannedMessage], now: Int64) async throws -> Bool

    /// Makes the deliveries of one resend in one transaction, after checking the guard rails again
    /// (at most `maxResends` per message, `minInterval` since the last send): each is queued (or
    /// held until `dueAt`), linked to its source (`resend_of`), with a `resent` event naming the actor
    /// and reason; the message's resend count goes up by one. Throws `conflict` naming the guard rail.
    func resend(_ plan: ResendPlan) async throws -> [Delivery]

    /// Looks at up to `limit` deliveries in `states` (oldest id first, after `after`) and gives each
    /// a fresh queued delivery on the same channel and address (``RedriveRequest``), one transaction
    /// per call; skipped ones carry their reason. A dry run changes nothing.
    func redrive(_ request: RedriveRequest) async throws -> RedrivePage

    /// Suppresses the address of a delivery for marketing messages (an unsubscribe link was used).
    /// Returns the address, or nil for an unknown delivery.
    func unsubscribe(deliveryID: String, at: Int64) async throws -> String?

    /// Creates or replaces a client with its contacts; returns whether it was new.
    func upsertClient(_ client: Client) async throws -> Bool

    /// Hands clients from one CSM to another (``Handover``) in one transaction: the clients' CSM,
    /// their open tasks (a `task_reassigned` event each, and the notices `notices.task` makes for the
    /// task as reassigned, enqueued), their waiting messages' Reply-To and mentions (a `reassigned`
    /// event each), and the new CSM's summary (`notices.summary`). A dry run changes nothing. Throws
    /// `notFound` when no client has that CSM, and `invalid` naming `clients` when a named client is
    /// not one of theirs.
    func handOver(_ handover: Handover, notices: HandoverNotices, actor: String, now: Int64) async throws -> HandoverResult

    /// Removes a client and its contacts, first cancelling what is left of its messages (deliveries
    /// not yet started, escalations, open call tasks) as ``cancel(messageID:actor:now:)`` would, in
    /// one transaction. Its message history stays. Nil when there is no such client.
    func deleteClient(id: String, actor: String, now: Int64) async throws -> ClientDeletion?

    /// One client with its contacts, or nil.
    func client(id: String) async throws -> Client?

    /// The clients with these ids, with their contacts, in the order of `ids` (ids of no client are
    /// left out).
    func clients(ids: [String]) async throws -> [Client]

    /// The clients `filter` matches, ordered by id, one page at a time (`after`: the last id of the
    /// previous page).
    func clients(matching filter: ClientFilter, after: String?, limit: Int) async throws -> [Client]

    /// The ids of the clients that match, ordered by id, at most `limit` (up to 10,000): enough to
    /// order one CSM's portfolio by ``ClientActivity/needsAttentionBefore(_:_:)``.
    func clientIDs(matching filter: ClientFilter, limit: Int) async throws -> [String]

    /// Erases a person — their email addresses and phone numbers — from the history in one
    /// transaction (``Erasure``), or with `dryRun` counts what would go. Callers use
    /// ``erasePerson(_:)``, which also writes the audit log.
    func erase(_ request: Erasure.Request) async throws -> Erasure.Result

    /// Last contact and unopened messages of each client in `clientIDs` (clients without messages
    /// are left out). A message counts as unopened when one of its deliveries on `openableChannels`
    /// reached `sent` or `delivered` and none of its deliveries was opened or clicked.
    func clientActivity(clientIDs: [String], openableChannels: [String]) async throws -> [String: ClientActivity]

    /// Deletes up to `limit` events, attempts and finished event notices created before `before` (epoch ms);
    /// returns how many rows went. Call repeatedly until it returns 0.
    func purgeHistory(before: Int64, limit: Int) async throws -> Int

    /// Engagement per template × tier × locale × channel, over the messages created in `[since, until)`
    /// (ms). A message's tier is its client's current one; its locale the one it asked for, else its
    /// client's, else `defaultLocale` — as rendering chose.
    func templateStats(since: Int64, until: Int64, defaultLocale: String) async throws -> [TemplateStats]

    /// Number of deliveries per state.
    func queueDepth() async throws -> [DeliveryState: Int]

    /// Per channel, the deliveries waiting, in flight and given up, the oldest due time of the
    /// waiting ones and the oldest claim of those in flight (``ChannelBacklog``), read through the partial indexes of those states: the cost
    /// follows the backlog, not the history.
    func backlog() async throws -> [ChannelBacklog]

    /// Whether ``queueDepth()`` reads a tally kept as deliveries move (the same cost at any size),
    /// rather than counting the deliveries table: callers polling it (`/readyz`, `/metrics`) then
    /// need not ration it.
    var keepsDeliveryCounts: Bool { get }

    /// Up to `limit` rows of `table` in key order, after the row whose key is `after` (nil: from
    /// the start); each row holds the table's columns in order (`herald export`).
    func exportRows(_ table: StoreTable, after: [JSONValue]?, limit: Int) async throws -> [[JSONValue]]

    /// Inserts rows of `table` (columns in order, kinds checked by the caller) in one transaction
    /// (`herald import`). Throws `conflict` when a row exists already.
    func importRows(_ table: StoreTable, _ rows: [[JSONValue]]) async throws

    /// Rows per table (`herald import` checks its target is empty and its result complete).
    func rowCounts() async throws -> [String: Int]

    /// Throws unless the database answers and accepts writes.
    func checkWritable() async throws

    /// Closes connections; no call may follow.
    func close() async throws
}

/// The answer of the shared rate limiter.
public enum SlotReservation: Sendable, Equatable {
    /// Go ahead; the slot's id, to be finished after the send.
    case granted(String)
    /// Every slot is taken; the first frees at this time (epoch ms).
    case full(freeAt: Int64)
}

/// What happened to one planned message at enqueue.
public enum EnqueueResult: Sendable, Equatable {
    /// Newly stored.
    case created(Message, [Delivery])
    /// Same idempotency key and same content as an earlier request: that request's result.
    case duplicate(Message, [Delivery])
    /// Same idempotency key, different content: refused.
    case conflict(existingMessageID: String)
}

extension DispatchWake {
    /// Whether a message an enqueue created (a replay adds nothing) has work due within `horizon`.
    public static func needed(for results: [EnqueueResult], now: Int64, horizon: Int64) -> Bool {
        results.contains { result in
            if case .created(_, let deliveries) = result { needed(for: deliveries, now: now, horizon: horizon) } else { false }
        }
    }
}

/// A finished attempt and the state it leads to (decided by the dispatcher's retry policy).
public struct DeliveryResult: Sendable, Equatable {
    public var report: AttemptReport
    /// `sent`, `retrying`, `failed` or `dead`.
    public var newState: DeliveryState
    /// For `retrying`: when to try again.
    public var nextDueAt: Int64?
    public var error: String?
    public var providerID: String?

    public init(report: AttemptReport, newState: DeliveryState, nextDueAt: Int64?, error: String?, providerID: String?) {
        self.report = report
        self.newState = newState
        self.nextDueAt = nextDueAt
        self.error = error
        self.providerID = providerID
    }
}

/// A claimed delivery that waits instead of being attempted.
public struct Postponement: Sendable, Equatable {
    public var deliveryID: String
    public var messageID: String
    public var channel: String
    /// When it becomes due again (epoch ms).
    public var until: Int64
    /// Why it waits, kept as the delivery's `last_error` and on a `postponed` event.
    public var reason: String
    /// The wait would go past the delivery's maximum age: it is `dead` instead.
    public var givesUp: Bool

    public init(deliveryID: String, messageID: String, channel: String, until: Int64, reason: String, givesUp: Bool = false) {
        self.deliveryID = deliveryID
        self.messageID = messageID
        self.channel = channel
        self.until = until
        self.reason = reason
        self.givesUp = givesUp
    }
}

/// The outcome of a cancel request.
public struct CancelResult: Sendable, Equatable {
    /// Deliveries moved to `cancelled`.
    public var cancelled: [String]
    /// Pending escalation timers stopped (each with an `escalation_cancelled` event).
    public var escalationsCancelled: Int
    /// Open call tasks closed as `cancelled` (each with a `task_cancelled` event): the CSM is not to call.
    public var tasksCancelled: [String]
    public var detail: MessageDetail

    public init(cancelled: [String], escalationsCancelled: Int = 0, tasksCancelled: [String] = [], detail: MessageDetail) {
        self.cancelled = cancelled
        self.escalationsCancelled = escalationsCancelled
        self.tasksCancelled = tasksCancelled
        self.detail = detail
    }

    /// The conflict when a message has no unstarted delivery, pending escalation or open call task.
    public static func nothingLeft(_ deliveries: [Delivery]) -> HeraldError {
        let states = deliveries.map { "\($0.id): \($0.state.rawValue)" }.joined(separator: ", ")
        return HeraldError.conflict("nothing left to cancel; every delivery has started or ended (\(states))")
    }
}

/// What deleting a client stopped.
public struct ClientDeletion: Sendable, Equatable {
    public var clientID: String
    /// Its messages that had something left, each with what was cancelled.
    public var messages: [String] = []
    public var deliveriesCancelled: [String] = []
    public var escalationsCancelled = 0
    public var tasksCancelled: [String] = []

    public init(clientID: String) {
        self.clientID = clientID
    }

    public mutating func add(_ result: CancelResult) {
        messages.append(result.detail.message.id)
        deliveriesCancelled += result.cancelled
        escalationsCancelled += result.escalationsCancelled
        tasksCancelled += result.tasksCancelled
    }
}
