/// The customer-success manager who owns a client.
public struct CSM: Sendable, Equatable {
    public var name: String
    public var email: String?
    public var phone: String?
    public var wecomUserID: String?
    public var dingtalkUserID: String?

    public init(name: String, email: String? = nil, phone: String? = nil, wecomUserID: String? = nil, dingtalkUserID: String? = nil) {
        self.name = name
        self.email = email
        self.phone = phone
        self.wecomUserID = wecomUserID
        self.dingtalkUserID = dingtalkUserID
    }

    /// The CSM as a Reply-To (`Name <email>`, or the bare email without a name); nil without an email.
    public var mailbox: String? {
        email.map { name.isEmpty ? $0 : "\(name) <\($0)>" }
    }
}

/// A person at a client.
public struct Contact: Sendable, Equatable {
    public var id: String
    public var name: String?
    public var email: String?
    /// E.164, e.g. `+8613800138000`.
    public var phone: String?
    public var locale: String?
    /// Message categories this contact does not want (`marketing`).
    public var optOuts: Set<MessageRequest.Category>

    public init(id: String, name: String? = nil, email: String? = nil, phone: String? = nil, locale: String? = nil,
                optOuts: Set<MessageRequest.Category> = []) {
        self.id = id
        self.name = name
        self.email = email
        self.phone = phone
        self.locale = locale
        self.optOuts = optOuts
    }
}

/// A customer account: who they are, their value tier, who owns them, whom to reach and where.
public struct Client: Sendable, Equatable {
    public var id: String
    public var name: String
    /// A tier name from `[tiers.<name>]`.
    public var tier: String
    /// IANA time zone (quiet hours, business hours).
    public var timezone: String?
    public var locale: String?
    /// `new`, `onboarding`, `growth`, `renewal`… (free text, for filtering).
    public var lifecycleStage: String?
    public var csm: CSM?
    public var contacts: [Contact]
    /// Per-channel destinations of the client itself (a CRM webhook URL, later bot groups).
    public var endpoints: [String: String]
    public var createdAt: Int64
    public var updatedAt: Int64

    public init(
        id: String, name: String, tier: String, timezone: String? = nil, locale: String? = nil,
        lifecycleStage: String? = nil, csm: CSM? = nil, contacts: [Contact] = [], endpoints: [String: String] = [:],
        createdAt: Int64 = 0, updatedAt: Int64 = 0
    ) {
        self.id = id
        self.name = name
        self.tier = tier
        self.timezone = timezone
        self.locale = locale
        self.lifecycleStage = lifecycleStage
        self.csm = csm
        self.contacts = contacts
        self.endpoints = endpoints
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

extension Client {
    /// The locale most of `clients` have (the alphabetically first on a tie), or nil when none has
    /// one: the language of mail about them all to their CSM (a handover, a digest).
    public static func prevailingLocale(of clients: [Client]) -> String? {
        let counts = Dictionary(grouping: clients.compactMap(\.locale), by: { $0 }).mapValues(\.count)
        return counts.max { $0.value < $1.value || ($0.value == $1.value && $0.key > $1.key) }?.key
    }
}
