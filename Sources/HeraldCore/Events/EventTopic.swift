/// The event types a subscription can receive (`delivery.sent`, …, `task.completed`), and which
/// rows of the event log each one stands for.
public enum EventTopic: String, Sendable, CaseIterable, Codable {
    case deliverySent = "delivery.sent"
    case deliveryDelivered = "delivery.delivered"
    case deliveryOpened = "delivery.opened"
    case deliveryClicked = "delivery.clicked"
    case deliveryFailed = "delivery.failed"
    case deliveryBounced = "delivery.bounced"
    case deliveryResent = "delivery.resent"
    /// Stopped before it started: the message was cancelled, or its client deleted.
    case deliveryCancelled = "delivery.cancelled"
    /// Not sent: the address is on the suppression list (a bounce, an unsubscribe, a STOP reply, an
    /// operator's entry), found at enqueue or when the delivery came due; `detail` says which.
    case deliverySuppressed = "delivery.suppressed"
    case taskCompleted = "task.completed"
    /// A call task closed without a call because its message was cancelled or expired.
    case taskCancelled = "task.cancelled"
    /// An open call task moved to another CSM (a handover of the client).
    case taskReassigned = "task.reassigned"

    /// The topic of an event-log row of type `eventType`, or nil when subscribers never see it
    /// (queued, postponed, skipped and other bookkeeping).
    public init?(eventType: String) {
        switch eventType {
        case "sent": self = .deliverySent
        case "delivered": self = .deliveryDelivered
        case "opened": self = .deliveryOpened
        case "clicked": self = .deliveryClicked
        // A permanent failure, retries given up, or a message that expired before it went out.
        case "failed", "dead", "expired": self = .deliveryFailed
        case "bounced": self = .deliveryBounced
        case "resent": self = .deliveryResent
        case "cancelled": self = .deliveryCancelled
        case "suppressed": self = .deliverySuppressed
        case "task_completed": self = .taskCompleted
        case "task_cancelled": self = .taskCancelled
        case "task_reassigned": self = .taskReassigned
        default: return nil
        }
    }

    /// The event-log types that map to one of `topics` (for the store's fan-out query).
    public static func eventTypes(for topics: Set<EventTopic>) -> [String] {
        let all = [
            "sent", "delivered", "opened", "clicked", "failed", "dead", "expired", "bounced", "resent", "cancelled", "suppressed",
            "task_completed", "task_cancelled", "task_reassigned",
        ]
        return all.filter { EventTopic(eventType: $0).map(topics.contains) ?? false }
    }
}
