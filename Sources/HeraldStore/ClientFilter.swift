import HeraldCore

/// Which clients a list shows (`GET /v1/clients`, `herald clients list`, the dashboard's "My
/// clients"): every condition given must hold.
public struct ClientFilter: Sendable, Equatable {
    /// Only this value tier.
    public var tier: String?
    /// Only the clients of the CSM with this email.
    public var csm: String?
    /// Only this lifecycle stage.
    public var stage: String?
    /// What a CSM types to find a client: part of its id or name, or of one of its contacts' name,
    /// email or phone number. Letters A–Z match either case; a phone number matches with or
    /// without its spaces, dashes and brackets. Build it with ``search(_:)``, which checks it.
    public private(set) var search: String?

    /// Every client.
    public static let all = ClientFilter()

    /// The longest search text accepted, in characters.
    public static let maximumSearchLength = 100

    public init(tier: String? = nil, csm: String? = nil, stage: String? = nil) {
        self.tier = tier
        self.csm = csm
        self.stage = stage
    }

    /// This filter narrowed to clients matching `text` (trimmed; empty means no search).
    /// - Throws: ``HeraldError/invalid(field:_:)`` naming `field` for text too long or holding a
    ///   control character.
    public func searching(_ text: String?, field: String = "search") throws -> ClientFilter {
        var narrowed = self
        narrowed.search = try Self.search(text, field: field)
        return narrowed
    }

    /// `text` trimmed and checked, or nil when there is nothing to search for.
    static func search(_ text: String?, field: String) throws -> String? {
        try DisplayText.input(text, field: field, maxLength: maximumSearchLength)
    }

    /// The `LIKE` pattern for names, ids and emails: the search between `%`s, with `\`, `%` and `_`
    /// escaped by `\` (the statements say `ESCAPE '\'`), so that they match only themselves.
    public var searchPattern: String? { search.map { "%" + Self.escaped($0) + "%" } }

    /// The `LIKE` pattern for phone numbers: a search that is a phone number written with spaces,
    /// dashes, dots or brackets ("139 0013-9000", "(0755) 8888") matches as its digits; any other
    /// search as ``searchPattern``.
    public var phonePattern: String? {
        guard let search else { return nil }
        let kept = search.unicodeScalars.filter { !" -.()".unicodeScalars.contains($0) }
        let digits = kept.drop { $0 == "+" }
        guard digits.count >= 3, digits.allSatisfy({ ("0"..."9").contains($0) }) else { return searchPattern }
        return "%" + String(String.UnicodeScalarView(digits)) + "%"
    }

    private static func escaped(_ text: String) -> String {
        var out = ""
        for ch in text {
            if ch == "\\" || ch == "%" || ch == "_" { out.append("\\") }
            out.append(ch)
        }
        return out
    }
}
