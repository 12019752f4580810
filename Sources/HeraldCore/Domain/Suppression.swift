import Foundation

/// One entry of the suppression list: an address Herald does not send to, for every message
/// (`all`: a hard bounce, a wrong number, an operator's entry), for marketing only (an
/// unsubscribe) or on one channel only (`channel:NAME`: an SMS STOP reply). Deliveries to it end
/// `suppressed` with "source: reason", at enqueue and again when they are claimed.
public struct Suppression: Sendable, Equatable {
    /// Which messages an operator's entry stops (opt-outs add `channel:NAME` entries).
    public enum Category: String, Sendable, CaseIterable {
        case all, marketing
    }

    /// Whether `text` names a category an entry can have: `all`, `marketing` or `channel:NAME`.
    public static func isCategory(_ text: String) -> Bool {
        Category(rawValue: text) != nil || (text.hasPrefix("channel:") && text.utf8.count > 8 && text.utf8.count <= 72)
    }

    public static let categoriesText = "all, marketing or channel:NAME"

    /// Where an entry came from.
    public enum Source: String, Sendable, CaseIterable {
        /// A hard bounce (SMTP 5xx, a provider's bounce receipt): every message (`all`), or one
        /// SMS channel when a text receipt says the number cannot take texts.
        case bounce
        /// The recipient's unsubscribe link or RFC 8058 one-click.
        case unsubscribe
        /// A CSM reported the number as not the contact's.
        case wrongNumber = "wrong_number"
        /// The recipient told the SMS provider to stop: that channel only for a STOP reply,
        /// `marketing` when they refused promotional texts (Aliyun `isv.CUSTOMER_REFUSED`).
        case optOut = "opt_out"
        /// Added by an operator through the API or the CLI.
        case manual
    }

    /// Lower-cased email address or E.164 number.
    public var address: String
    /// `all`, `marketing` or `channel:NAME`.
    public var category: String
    public var source: String
    public var reason: String
    /// The delivery that caused it (bounce, unsubscribe, wrong number); nil for manual entries.
    public var deliveryID: String?
    /// Who added a manual entry (`token:NAME`, `cli:USER`); nil for the others.
    public var actor: String?
    public var createdAt: Int64

    public init(
        address: String, category: String, source: String, reason: String, deliveryID: String? = nil, actor: String? = nil,
        createdAt: Int64
    ) {
        self.address = address
        self.category = category
        self.source = source
        self.reason = reason
        self.deliveryID = deliveryID
        self.actor = actor
        self.createdAt = createdAt
    }

    /// The form every store keeps addresses in (email addresses are compared case-insensitively).
    public static func key(_ address: String) -> String { address.lowercased() }

    /// Why `address` cannot be on the list, or nil: only email addresses and E.164 numbers are
    /// ever looked up.
    public static func addressProblem(_ address: String) -> String? {
        if address.hasPrefix("+") {
            return DestinationRules.phoneProblem(address).map { "not an E.164 number: \($0)" }
        }
        return DestinationRules.emailProblem(address).map { "not an email address or E.164 number: \($0)" }
    }

    /// Reads an operator's new entry: `{"address", "category"?: "all"|"marketing", "reason"}`.
    public static func request(_ body: JSONValue, actor: String, now: Int64) throws(HeraldError) -> Suppression {
        var reader = try FieldReader(body: body)
        reader.rejectUnknown(["address", "category", "reason"])
        let address = reader.string("address", maxLength: 254)
        if let address, let problem = addressProblem(address) { reader.fail("address", problem) }
        if address == nil && !reader.problems.contains(where: { $0.name == "address" }) {
            reader.fail("address", "required: the email address or E.164 number to stop sending to")
        }
        let category: Category?
        switch reader.object["category"] {
        case nil, .null?: category = .all
        default: category = reader.enumeration("category", Category.self)
        }
        let reason = reader.string("reason", maxLength: 500, singleLine: true)
        if reason == nil && !reader.problems.contains(where: { $0.name == "reason" }) {
            reader.fail("reason", "required: why (shown on every delivery it suppresses)")
        }
        try reader.check()
        guard let address, let category, let reason else { throw .invalid(field: "(body)", "incomplete") }
        return Suppression(
            address: key(address), category: category.rawValue, source: Source.manual.rawValue, reason: reason, actor: actor,
            createdAt: now)
    }
}

/// Which suppression entries to list, in (address, category) order.
public struct SuppressionQuery: Sendable {
    /// Only these addresses (any case), all their categories; empty: every address.
    public var addresses: [String]
    /// Email addresses at this domain (`acme.com` matches `…@acme.com`, not `…@mail.acme.com`).
    public var domain: String?
    public var source: String?
    public var category: String?
    /// Continue after this entry (`next_cursor` of the previous page).
    public var after: (address: String, category: String)?
    public var limit: Int

    public init(
        address: String? = nil, domain: String? = nil, source: String? = nil, category: String? = nil,
        after: (address: String, category: String)? = nil, limit: Int = 100
    ) {
        self.addresses = address.map { [Suppression.key($0)] } ?? []
        self.domain = domain.map { $0.lowercased() }
        self.source = source
        self.category = category
        self.after = after
        self.limit = limit
    }

    /// The cursor that continues after `entry`: its category and address, base64url-encoded (opaque
    /// to clients; a category can hold a colon, `channel:sms`, so no plain separator would do).
    public static func cursor(after entry: Suppression) -> String {
        Data((entry.category + "\n" + entry.address).utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    /// Reads a cursor made by ``cursor(after:)``.
    public static func parseCursor(_ text: String) -> (address: String, category: String)? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        guard let data = Data(base64Encoded: base64), let decoded = String(data: data, encoding: .utf8),
            let newline = decoded.firstIndex(of: "\n")
        else { return nil }
        let category = String(decoded[..<newline])
        let address = String(decoded[decoded.index(after: newline)...])
        return category.isEmpty || address.isEmpty ? nil : (address, category)
    }
}
