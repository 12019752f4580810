/// The first event of each delivery an enqueue makes — `queued`, or `scheduled` when the message
/// waits for its `send_at` — derived from the message and delivery rows instead of stored.
///
/// Subscribers never receive these (``EventTopic/init(eventType:)`` maps them to nothing); only a
/// message's timeline shows them. Writing them as a row per delivery was ~16 % of the SQLite
/// writer's time in a batch enqueue, the part of Herald that bounds its rate (BENCHMARKS.md,
/// session 14), so the message keeps who enqueued it (``Message/actor``) and the timeline is read
/// as if the rows were there: same type, state, actor and time, and an id that sorts where the
/// stored row's did (before every later event of the delivery).
///
/// What is still stored: a delivery suppressed on the way in (its event carries the reason), the
/// `skipped` routes, and everything after the enqueue. Messages stored before `actor` existed
/// (or imported from an older export) have no actor and keep the rows they were stored with.
public enum EnqueueEvents {
    /// Whether an enqueue writes a delivery's first event as a row (a delivery that did not go
    /// into the queue) rather than leaving it to be derived.
    public static func stored(_ state: DeliveryState) -> Bool {
        state != .queued && state != .scheduled
    }

    /// The types a delivery's first event has when the enqueue stored it as a row.
    private static let firstEventTypes: Set<String> = ["queued", "scheduled", "suppressed"]

    /// `stored` (ordered by id) with the derived first event of every delivery the enqueue made,
    /// in id order.
    public static func merged(_ stored: [Event], message: Message, deliveries: [Delivery]) -> [Event] {
        guard let actor = message.actor else { return stored }
        // Deliveries whose first event is a row: suppressed on the way in (or an imported row).
        let recorded = Set(stored.lazy.filter { e in
            e.createdAt == message.createdAt && firstEventTypes.contains(e.type)
        }.compactMap(\.deliveryID))
        let state = DeliveryState.onEnqueue(sendAt: message.sendAt, now: message.createdAt)
        let derived = deliveries.lazy.filter { d in
            d.purpose == nil && d.resendOf == nil && d.createdAt == message.createdAt && !recorded.contains(d.id)
        }.map { d in
            Event(
                id: eventID(for: d.id), messageID: message.id, deliveryID: d.id, type: state.rawValue, state: state,
                detail: nil, actor: actor, createdAt: message.createdAt)
        }
        guard !derived.isEmpty else { return stored }
        return (stored + derived).sorted { $0.id < $1.id }
    }

    /// `dlv_<time-ordered part>` → `evt_<the same part>`: unique as the delivery's id is, and
    /// ordered by the time the delivery was made.
    static func eventID(for deliveryID: String) -> String {
        guard let separator = deliveryID.firstIndex(of: "_") else { return HeraldID.Kind.event.rawValue + "_" + deliveryID }
        return HeraldID.Kind.event.rawValue + deliveryID[separator...]
    }
}
