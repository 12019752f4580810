import HeraldCore

/// Filters for listing messages.
public struct MessageQuery: Sendable, Equatable {
    /// Engagement with a message: any of its deliveries opened (or clicked) / clicked, or none.
    public enum Engagement: String, Sendable, CaseIterable {
        case opened, clicked, unopened, unclicked
    }

    public var clientID: String?
    /// Any of these clients (bulk resend's client list); empty: no filter.
    public var clientIDs: [String] = []
    /// Messages about clients of this tier (the client's tier now).
    public var tier: String?
    public var engagement: Engagement?
    /// Created at or before (epoch ms): "older than".
    public var before: Int64?
    public var template: String?
    /// Messages with at least one delivery in this state.
    public var state: DeliveryState?
    public var channel: String?
    /// Created at or after (epoch ms).
    public var since: Int64?
    /// Continue after this message id (exclusive; from the previous page's `nextCursor`).
    public var cursor: String?
    public var limit: Int

    public init(
        clientID: String? = nil, template: String? = nil, state: DeliveryState? = nil, channel: String? = nil,
        since: Int64? = nil, cursor: String? = nil, limit: Int = 50
    ) {
        self.clientID = clientID
        self.template = template
        self.state = state
        self.channel = channel
        self.since = since
        self.cursor = cursor
        self.limit = limit
    }
}

/// What ``Store/gaveUp(clientIDs:since:createdSince:limit:)`` found.
public struct GaveUpDeliveries: Sendable {
    /// Every delivery that matched.
    public var total: Int
    /// The ones that gave up last, newest first.
    public var newest: [(message: Message, delivery: Delivery)]

    public init(total: Int, newest: [(message: Message, delivery: Delivery)]) {
        self.total = total
        self.newest = newest
    }

    /// The order of ``newest``: last given up first; the later id first on a tie.
    public static func newerFirst(_ a: Delivery, _ b: Delivery) -> Bool {
        a.updatedAt != b.updatedAt ? a.updatedAt > b.updatedAt : a.id > b.id
    }
}

/// One page of messages with their deliveries.
public struct MessagePage: Sendable, Equatable {
    public var items: [(message: Message, deliveries: [Delivery])]
    /// Pass as `cursor` for the next page; nil on the last page.
    public var nextCursor: String?

    public init(items: [(message: Message, deliveries: [Delivery])], nextCursor: String?) {
        self.items = items
        self.nextCursor = nextCursor
    }

    public static func == (lhs: MessagePage, rhs: MessagePage) -> Bool {
        lhs.nextCursor == rhs.nextCursor && lhs.items.count == rhs.items.count
            && zip(lhs.items, rhs.items).allSatisfy { $0.message == $1.message && $0.deliveries == $1.deliveries }
    }
}
