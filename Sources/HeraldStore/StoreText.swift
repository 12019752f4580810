import HeraldCore

/// The words on events every backend writes, so a timeline reads the same on SQLite and PostgreSQL.
public enum StoreText {
    public static func fallback(failedChannel: String, reason: String?, next: FallbackStep, due: Int64, at: Int64) -> String {
        let held = due > at ? " at \(Timestamps.format(due)), after quiet hours \(next.quiet.map(\.description) ?? "")" : ""
        return "\(failedChannel) failed permanently (\(reason ?? "no reason")); trying \(next.channel)\(held)"
    }

    /// A fallback that starts because the list stopped the delivery before it: `from` is when that
    /// delivery was due (a scheduled message's `send_at`), `due` when the step goes.
    public static func fallback(suppressedChannel: String, reason: String, next: FallbackStep, due: Int64, from: Int64, at: Int64) -> String {
        let held = due > max(from, at) ? " at \(Timestamps.format(due)), after quiet hours \(next.quiet.map(\.description) ?? "")"
            : due > at ? " at \(Timestamps.format(due)), when the message is due" : ""
        return "\(suppressedChannel) is suppressed (\(reason)); trying \(next.channel)\(held)"
    }

    /// The `task_reassigned` event of a task a handover moved.
    public static func taskReassigned(_ t: PhoneTask, from: String, actor: String) -> String {
        "task \(t.id) (call \(t.attempt)) handed from \(from) to \(t.assigneeName ?? "") <\(t.assignee ?? "")> by \(actor)"
    }

    /// The `reassigned` event of a waiting message whose Reply-To or mentions a handover changed.
    public static func messageReassigned(from: String, to: CSM, actor: String) -> String {
        "the client's CSM changed from \(from) to \(to.name) <\(to.email ?? "")> (by \(actor)): replies and @-mentions go to them"
    }

    public static func taskCreated(_ t: PhoneTask) -> String {
        "task \(t.id) (call \(t.attempt)) for \(t.assigneeName ?? t.assignee ?? "nobody (no CSM)"): call \(t.contactName ?? "the contact") due \(Timestamps.format(t.dueAt))"
    }

    public static func taskCompleted(_ t: PhoneTask, outcome: PhoneTask.Outcome, note: String?) -> String {
        "task \(t.id) (call \(t.attempt)) \(outcome.rawValue)\(note.map { ": \($0)" } ?? "")"
    }

    public static func taskOverdue(taskID: String, assignee: String?, told: [String]) -> String {
        "task \(taskID) of \(assignee ?? "nobody") is overdue" + (told.isEmpty ? "" : "; told \(told.joined(separator: ", "))")
    }

    public static func escalated(unless: DeliveryState, waitedSeconds: Int64, channel: String) -> String {
        "not \(unless.rawValue) within \(waitedSeconds) s: escalated via \(channel)"
    }

    /// Why a due escalation is not made (the detail of its `escalation_skipped` event), or nil
    /// to make it: the message was `unless` in time, or it expired before the timer fired.
    public static func escalationSkipped(met: Bool, unless: DeliveryState, expiresAt: Int64?, now: Int64) -> String? {
        if met { return "\(unless.rawValue) in time" }
        if let expiresAt, expiresAt <= now { return "the message expired at \(Timestamps.format(expiresAt))" }
        return nil
    }

    /// A delivery's `last_error` when its address is on the suppression list ("bounce: 550 …").
    public static func suppressed(_ reason: String) -> String {
        "suppressed: \(reason)"
    }

    /// The detail of the `cancelled` events of a deleted client's messages.
    public static func clientDeleted(_ id: String) -> String {
        "client \(id) was deleted"
    }

    /// The detail of a `task_cancelled` event, and the cancelled task's note.
    public static func taskCancelled(taskID: String) -> String {
        "task \(taskID): the message was cancelled before the call"
    }

    /// The same when the message passed its `expires_at` before the call.
    public static func taskExpired(taskID: String) -> String {
        "task \(taskID): the message expired before the call"
    }

    /// The detail of a call delivery that ends `cancelled` because its message was cancelled while
    /// its task was being opened.
    public static let callCancelledInFlight = "the message was cancelled while its call task was being opened: no task"

    /// The conflict when a task that is no longer open is completed.
    public static func taskClosed(_ task: PhoneTask) -> String {
        task.status == .cancelled
            ? "task \(task.id) was cancelled by \(task.completedBy ?? "unknown") (its message was cancelled); there is no call to complete"
            : "task \(task.id) is already done (\(task.outcome?.rawValue ?? "no outcome") by \(task.completedBy ?? "unknown"))"
    }

    /// The detail of an `escalation_cancelled` event.
    public static func escalationCancelled(channel: String) -> String {
        "the message was cancelled: no escalation via \(channel)"
    }

    /// The deliveries whose states answer an escalation's "unless opened" when its timer fires: the
    /// message's own, its fallbacks, redrives and resends (a CSM's resend that the client opens is
    /// the message opened). Only the escalation's own delivery is left out; it is made by the firing.
    public static let answersAnEscalation = "(purpose IS NULL OR purpose IN ('fallback', 'redrive', 'resend'))"

    /// "Unless opened" is met by opened or clicked; "unless clicked" only by clicked.
    public static func statesMeeting(_ unless: DeliveryState) -> [DeliveryState] {
        unless == .clicked ? [.clicked] : [.opened, .clicked]
    }

    public static func resent(number: Int, source: String, reason: String?, held: String?, lastError: String?) -> String {
        var detail = "resend \(number) of \(source)"
        if let reason { detail += ": \(reason)" }
        if let held { detail += "; \(held)" }
        if let lastError { detail += "; \(lastError)" }
        return detail
    }

    /// On the delivery that gave up: where it was sent again.
    public static func redriven(as newID: String, reason: String?) -> String {
        "redriven as \(newID)" + (reason.map { ": \($0)" } ?? "")
    }

    /// On the new delivery of a redrive.
    public static func redriveOf(_ item: RedriveItem, reason: String?) -> String {
        let attempts = "\(item.attempts) attempt\(item.attempts == 1 ? "" : "s")"
        var detail = "redrive of \(item.deliveryID) (\(item.state.rawValue) after \(attempts)"
        if let lastError = item.lastError { detail += ": \(lastError)" }
        detail += ")"
        if let reason { detail += "; \(reason)" }
        return detail
    }

    /// Why a delivery that gave up is not sent again.
    public enum RedriveSkip {
        public static func expired(at: Int64) -> String { "the message expired at \(Timestamps.format(at))" }
        public static func suppressed(_ reason: String) -> String { "the address is suppressed (\(reason))" }
        public static func fallback(_ id: String, channel: String) -> String { "its fallback \(id) on \(channel) took over" }
        public static func redrivenBefore(_ detail: String?) -> String { "already \(detail ?? "redriven")" }
        public static let erased = "its recipient's data was erased"
    }

    /// The event that moves a delivery opened (or clicked) before its send was on record.
    public static func engagedBeforeRecorded(_ state: DeliveryState) -> String {
        "\(state.rawValue) while the send was being recorded"
    }

    public static func engagement(url: String?, userAgent: String?) -> String {
        var detail: [String: JSONValue] = [:]
        if let url { detail["url"] = .string(url) }
        if let userAgent { detail["user_agent"] = .string(String(userAgent.prefix(512))) }
        return JSONValue.object(detail).canonicalText
    }

    public static func receiptKept(_ detail: String, current: DeliveryState) -> String {
        "\(detail) (receipt after \(current.rawValue); state kept)"
    }

    public static func postponed(_ item: Postponement) -> String {
        item.givesUp ? item.reason : "\(item.reason); due again \(Timestamps.format(item.until))"
    }

    /// An attempt's outcome as the `attempts.outcome` column holds it.
    public static func outcome(_ outcome: DeliveryOutcome) -> String {
        switch outcome {
        case .sent: "sent"
        case .retry: "retry"
        case .failed, .optedOut, .optedOutOfMarketing: "failed"
        case .bounced: "bounced"
        }
    }

    /// The delivery a resend item makes, as both stores return it.
    public static func resentDelivery(
        _ item: ResendPlan.Item, messageID: String, state: DeliveryState, lastError: String?, at: Int64
    ) -> Delivery {
        var delivery = Delivery(
            id: item.id, messageID: messageID, channel: item.channel, destination: item.destination, state: state,
            attempts: 0, dueAt: item.dueAt, expiresAt: item.expiresAt, lastError: lastError, providerID: nil, purpose: "resend",
            createdAt: at, updatedAt: at)
        delivery.resendOf = item.source
        return delivery
    }

    public static let reclaimed = "lease of an earlier attempt ran out"
    public static let released = "returned to the queue at shutdown before its attempt started"
    public static let expired = "expires_at passed before delivery"
    public static let expiredError = "expired before it could be sent"
    public static let unsubscribed = "marketing messages to this address are suppressed"
    public static let unsubscribeReason = "unsubscribed with the link in a message"
}
