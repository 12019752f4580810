import HeraldCore

/// The messages a handover enqueues in its own transaction, made from what it changed (the phone
/// desk renders them; the store only inserts them).
public struct HandoverNotices: Sendable {
    /// To the new CSM about one open task they take over (the task as reassigned, its client).
    public var task: @Sendable (PhoneTask, Client) -> [PlannedMessage]
    /// To the new CSM about the whole handover.
    public var summary: @Sendable (HandoverResult) -> [PlannedMessage]

    public init(
        task: @escaping @Sendable (PhoneTask, Client) -> [PlannedMessage] = { _, _ in [] },
        summary: @escaping @Sendable (HandoverResult) -> [PlannedMessage] = { _ in [] }
    ) {
        self.task = task
        self.summary = summary
    }
}
