/// When newly stored deliveries should wake the dispatcher.
///
/// The dispatcher looks for due work at least once per poll interval, and after each look sleeps
/// until the earliest due time it found. So only work due before its next regular look needs a
/// wake: waiting deliveries due now or within the poll interval. Each wake costs a claim — a
/// write transaction on SQLite's single writer, in line with the enqueues' group commits — so a
/// burst of messages scheduled for later no longer spends one claim per request for nothing.
public enum DispatchWake {
    /// Whether any of `deliveries` is waiting and due within `horizon` milliseconds of `now`.
    public static func needed(for deliveries: [Delivery], now: Int64, horizon: Int64) -> Bool {
        deliveries.contains { delivery in
            switch delivery.state {
            case .queued, .retrying, .scheduled: delivery.dueAt <= now + horizon
            default: false
            }
        }
    }
}
