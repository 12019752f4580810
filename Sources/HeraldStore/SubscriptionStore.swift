import HeraldCore

/// The event-notice outbox: subscriptions registered through the API, the fan-out of the event log
/// into one notice per subscription and event, and the notices' own delivery state — kept apart
/// from message deliveries, so a dead subscriber never touches the message queue.
public protocol SubscriptionStore: Sendable {
    /// Subscriptions registered through the API (herald.toml ones live in the configuration).
    func subscriptions() async throws -> [Subscription]

    /// Stores a new API subscription. Throws `conflict` when the name is taken.
    func createSubscription(_ subscription: Subscription) async throws

    /// Replaces the stored secret of an API subscription (sealing secrets stored before).
    func updateSubscriptionSecret(id: String, secret: String) async throws

    /// Deletes an API subscription and its notices; false when there is none with this id.
    func deleteSubscription(id: String) async throws -> Bool

    /// Turns events logged since the last call into pending notices for the routes whose topics
    /// match, each numbered per subscription and delivery; returns how many events were read (call
    /// again while it returns `limit`). History is never replayed to new subscribers: while there
    /// are no routes the position is parked at the end of the log (marked idle), and the first
    /// call with routes after an idle spell starts from the end; creating a subscription un-parks
    /// the position at that moment, so it gets every event from its creation on.
    func fanOut(to routes: [SubscriptionRoute], limit: Int, now: Int64) async throws -> Int

    /// Leases up to `limit` due notices of these subscriptions until `leaseUntil`: only the oldest
    /// pending notice of each subscription and delivery, so a delivery's events go out in order.
    func claimNotices(subscriptionIDs: [String], limit: Int, now: Int64, leaseUntil: Int64) async throws -> [EventNotice]

    /// Records attempts: delivered, retry at a time, or dead.
    func finishNotices(_ results: [NoticeResult]) async throws

    /// Notices of one subscription in a state, oldest first (dead letters, for operators).
    func notices(subscriptionID: String, state: EventNotice.State, limit: Int) async throws -> [EventNotice]

    /// Puts a subscription's dead notices back to pending, due now; returns how many.
    func redriveNotices(subscriptionID: String, now: Int64) async throws -> Int

    /// Notices per state of each subscription that has any.
    func noticeCounts() async throws -> [String: NoticeCounts]
}
