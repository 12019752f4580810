/// Whom a group-robot message @-mentions. A request lists entries; `csm` and `contacts` are
/// expanded from the client at enqueue, so the stored list holds only concrete people:
/// `+E164` mobile numbers, `all`, plain user ids (used on every platform) and platform-scoped
/// user ids (`wecom:zhangsan`, `dingtalk:0412…`, `feishu:ou_…`).
public enum Mentions {
    /// The most entries a message may carry.
    public static let maximum = 50

    /// Why one request entry is unacceptable, or nil.
    public static func problem(_ entry: String) -> String? {
        if ["csm", "contacts", "all"].contains(entry) { return nil }
        if entry.hasPrefix("+") { return DestinationRules.phoneProblem(entry) }
        var id = Substring(entry)
        if let colon = entry.firstIndex(of: ":") {
            let platform = entry[..<colon]
            guard let kind = ChannelKind(rawValue: String(platform)), kind.isBot else {
                return "'\(platform):' is not a robot platform (wecom, dingtalk, feishu)"
            }
            id = entry[entry.index(after: colon)...]
        }
        guard (1...64).contains(id.utf8.count), id.utf8.allSatisfy(isUserIDByte) else {
            return "must be csm, contacts, all, a +E.164 mobile number or a user id (1–64 of a-z A-Z 0-9 _ . @ -)"
        }
        return nil
    }

    private static func isUserIDByte(_ b: UInt8) -> Bool {
        ByteEncoding.isAlphanumeric(b) || b == 0x5F || b == 0x2E || b == 0x40 || b == 0x2D
    }

    /// Replaces `csm` and `contacts` with the people they stand for (CSM: platform user ids and
    /// mobile; contacts: their mobiles). Entries that need a client are dropped when there is none.
    public static func expand(_ entries: [String], client: Client?) -> [String] {
        var out: [String] = []
        func add(_ s: String?) { if let s, !s.isEmpty, !out.contains(s) { out.append(s) } }
        for entry in entries {
            switch entry {
            case "csm":
                guard let csm = client?.csm else { continue }
                for id in of(csm) { add(id) }
            case "contacts":
                for contact in client?.contacts ?? [] { add(contact.phone) }
            default:
                add(entry)
            }
        }
        return out
    }

    /// The stored entries that apply on one platform.
    public struct Resolved: Sendable, Equatable {
        /// Mobile numbers as the platform wants them (Chinese numbers without `+86`).
        public var mobiles: [String] = []
        public var userIDs: [String] = []
        public var all = false
        public var isEmpty: Bool { mobiles.isEmpty && userIDs.isEmpty && !all }

        public init(mobiles: [String] = [], userIDs: [String] = [], all: Bool = false) {
            self.mobiles = mobiles
            self.userIDs = userIDs
            self.all = all
        }
    }

    public static func resolve(_ entries: [String], for kind: ChannelKind) -> Resolved {
        var resolved = Resolved()
        for entry in entries {
            if entry == "all" {
                resolved.all = true
            } else if entry.hasPrefix("+") {
                // Feishu custom bots mention by user id only.
                guard kind != .feishu else { continue }
                let mobile = entry.hasPrefix("+86") ? String(entry.dropFirst(3)) : String(entry.dropFirst())
                if !resolved.mobiles.contains(mobile) { resolved.mobiles.append(mobile) }
            } else if let colon = entry.firstIndex(of: ":") {
                guard entry[..<colon] == kind.rawValue[...] else { continue }
                let id = String(entry[entry.index(after: colon)...])
                if !resolved.userIDs.contains(id) { resolved.userIDs.append(id) }
            } else if !resolved.userIDs.contains(entry) {
                resolved.userIDs.append(entry)
            }
        }
        return resolved
    }

    /// What `"csm"` stands for: the CSM's robot user ids and mobile.
    public static func of(_ csm: CSM) -> [String] {
        [csm.wecomUserID.map { "wecom:" + $0 }, csm.dingtalkUserID.map { "dingtalk:" + $0 }, csm.phone]
            .compactMap { $0 }.filter { !$0.isEmpty }
    }

    /// The stored form of a message's mentions: a JSON array, or nil for none.
    public static func stored(_ mentions: [String]) -> String? {
        mentions.isEmpty ? nil : JSONValue.array(mentions.map(JSONValue.string)).canonicalText
    }

    /// Reads ``stored(_:)``'s form back (anything else: none).
    public static func fromStored(_ text: String?) -> [String] {
        guard let text, case .array(let items)? = try? JSONValue.parse(Array(text.utf8)) else { return [] }
        return items.compactMap { if case .string(let s) = $0 { s } else { nil } }
    }
}
