/// What a CSM sees beside each client in a list: when Herald last wrote to them and which
/// messages nobody opened.
public struct ClientActivity: Sendable, Equatable {
    public var clientID: String
    /// When the newest message about the client was created (epoch ms); nil: never.
    public var lastContactAt: Int64?
    public var messages: Int
    /// Messages that went out on a channel that reports opens (email) and that no one opened or
    /// clicked in any delivery.
    public var unopened: Int
    /// Of those, the ones sent with priority `high` or `urgent`.
    public var unopenedImportant: Int

    public init(clientID: String, lastContactAt: Int64? = nil, messages: Int = 0, unopened: Int = 0, unopenedImportant: Int = 0) {
        self.clientID = clientID
        self.lastContactAt = lastContactAt
        self.messages = messages
        self.unopened = unopened
        self.unopenedImportant = unopenedImportant
    }

    /// Priorities that make an unopened message worth a CSM's attention.
    public static let importantPriorities: Set<MessageRequest.Priority> = [.high, .urgent]

    /// Whether `a`'s client needs a CSM before `b`'s: more unopened important messages first, then
    /// more unopened messages, then the longest without contact (never written to before any
    /// contact). Ties go by client id, so a list in this order pages the same way every time.
    public static func needsAttentionBefore(_ a: ClientActivity, _ b: ClientActivity) -> Bool {
        if a.unopenedImportant != b.unopenedImportant { return a.unopenedImportant > b.unopenedImportant }
        if a.unopened != b.unopened { return a.unopened > b.unopened }
        switch (a.lastContactAt, b.lastContactAt) {
        case (nil, .some): return true
        case (.some, nil): return false
        case let (x?, y?) where x != y: return x < y
        default: return a.clientID < b.clientID
        }
    }
}
