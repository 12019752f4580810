/// One change an operator made to how Herald works, kept to answer "who did this, and when?":
/// a token revoked, an unsubscribe removed, a client deleted. Messages keep their own history in
/// their events (a resend, a cancel, each redriven delivery); this is the record of everything
/// else (`GET /v1/audit`, `herald audit`).
public struct AuditEntry: Sendable, Equatable {
    /// What was done. The raw values are the API's `action` strings.
    public enum Action: String, Sendable, CaseIterable {
        case tokenCreated = "token.created"
        case tokenRotated = "token.rotated"
        case tokenRevoked = "token.revoked"
        case suppressionAdded = "suppression.added"
        case suppressionRemoved = "suppression.removed"
        case subscriptionCreated = "subscription.created"
        case subscriptionDeleted = "subscription.deleted"
        case subscriptionRedriven = "subscription.redriven"
        case clientCreated = "client.created"
        case clientUpdated = "client.updated"
        case clientDeleted = "client.deleted"
        case clientsHandedOver = "clients.handed_over"
        case deliveriesRedriven = "deliveries.redriven"
        case configReloaded = "config.reloaded"
        case personErased = "person.erased"
    }

    /// `aud_…`, time-ordered.
    public var id: String
    /// When, in milliseconds since the epoch.
    public var at: Int64
    /// Who: `token:NAME` for the API and the dashboard, `cli:USER` for the command line.
    public var actor: String
    public var action: Action
    /// What it was done to: a token's name, an address, a subscription's id, a client's id, a CSM's
    /// email; `-` for an action over many (a redrive, an import).
    public var subject: String
    /// What else an operator needs to know, in a sentence: scopes, the reason given, counts.
    public var detail: String

    public init(id: String, at: Int64, actor: String, action: Action, subject: String, detail: String = "") {
        self.id = id
        self.at = at
        self.actor = actor
        self.action = action
        self.subject = subject
        self.detail = detail
    }

    /// A reason an operator gives for the log (trimmed; nil when empty): one line of at most 500
    /// characters, so that it cannot forge a line of a text log or a table.
    public static func reason(_ text: String?, field: String = "reason") throws -> String? {
        try DisplayText.input(text, field: field, maxLength: 500)
    }

    /// `1 open call`, `2 open calls`: counts in a detail read as a sentence.
    public static func count(_ n: Int, _ noun: String, plural: String? = nil) -> String {
        "\(n) " + (n == 1 ? noun : plural ?? noun + "s")
    }

    /// A new entry, id made now.
    public static func make(_ action: Action, subject: String, detail: String = "", actor: String, at: Int64) -> AuditEntry {
        AuditEntry(id: HeraldID.make(.audit), at: at, actor: actor, action: action, subject: subject, detail: detail)
    }
}

/// Which audit entries to read, newest first.
public struct AuditQuery: Sendable, Equatable {
    /// One action (`token.revoked`), or every action on one kind of thing (`token`: `token.*`).
    public var action: String?
    public var actor: String?
    /// Entries about this subject (a token's name, an address, …), exactly.
    public var subject: String?
    /// From this time (inclusive) and before this time (exclusive), in milliseconds.
    public var since: Int64?
    public var until: Int64?
    /// Continue after this entry id (`next_cursor` of the previous page).
    public var before: String?
    /// 1–500.
    public var limit: Int

    public init(
        action: String? = nil, actor: String? = nil, subject: String? = nil, since: Int64? = nil, until: Int64? = nil,
        before: String? = nil, limit: Int = 50
    ) {
        self.action = action
        self.actor = actor
        self.subject = subject
        self.since = since
        self.until = until
        self.before = before
        self.limit = limit
    }

    /// The actions `action` selects: itself, or the actions of its kind; nil for every action,
    /// empty for an action that does not exist.
    public var actions: [AuditEntry.Action]? {
        guard let action else { return nil }
        return AuditEntry.Action.allCases.filter { $0.rawValue == action || $0.rawValue.hasPrefix(action + ".") }
    }
}
