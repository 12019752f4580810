/// A token to make, as `POST /v1/tokens` and `herald token create` describe it, with the rules both
/// check: the name is the actor of everything the token does, so it is short and plain.
public struct TokenRequest: Sendable, Equatable {
    public var name: String
    public var scopes: Set<APIScope>
    public var rateLimit: Int?
    public var csm: String?
    public var expiresAt: Int64?

    public init(name: String, scopes: Set<APIScope>, rateLimit: Int? = nil, csm: String? = nil, expiresAt: Int64? = nil) {
        self.name = name
        self.scopes = scopes
        self.rateLimit = rateLimit
        self.csm = csm
        self.expiresAt = expiresAt
    }

    /// Why `name` cannot name a token, or nil.
    public static func nameProblem(_ name: String) -> String? {
        if name.isEmpty || name.count > 64 { return "must be 1 to 64 characters" }
        guard MessageRequestParser.isTemplateName(name) else { return "may use a-z, 0-9, '-' and '_' only" }
        // A rotation names the old secret so (APIToken.lineage): a token made with such a name
        // would share the rate limit of another.
        return APIToken.lineage(of: name) != name ? "ends like a secret retired by a rotation ('-retired-YYYYMMDD-HHMMSS'); choose another" : nil
    }

    /// The scopes of a comma-separated list, or why it is not one.
    public static func scopes(_ list: String) -> Result<Set<APIScope>, TokenRequestProblem> {
        var scopes = Set<APIScope>()
        for item in list.split(separator: ",", omittingEmptySubsequences: false) {
            guard let scope = APIScope(rawValue: String(item)) else {
                return .failure(TokenRequestProblem("unknown scope '\(item)'; use send, read, resend, admin"))
            }
            scopes.insert(scope)
        }
        return scopes.isEmpty ? .failure(TokenRequestProblem("name at least one scope: send, read, resend, admin")) : .success(scopes)
    }

    /// Why `rate` cannot be a token's requests per second, or nil.
    public static func rateLimitProblem(_ rate: Int) -> String? {
        (1...1_000_000).contains(rate) ? nil : "must be from 1 to 1000000"
    }

    /// Why `csm` cannot be a CSM's email, or nil.
    public static func csmProblem(_ csm: String) -> String? {
        csm.isEmpty || csm.count > 254 || csm.contains(where: { $0.isNewline || $0 == " " }) || !csm.contains("@")
            ? "must be the CSM's email, as the client registry has it" : nil
    }

    /// How long a rotated token's old secret keeps working unless told otherwise.
    public static let defaultGrace = "24h"

    /// The grace `text` names (`24h`, `30m`, `0s`: not at all) in milliseconds, or why not.
    public static func grace(_ text: String) -> Result<Int64, TokenRequestProblem> {
        guard let millis = DurationText.milliseconds(text), millis >= 0 else {
            return .failure(TokenRequestProblem("must be a duration (24h, 30m, 0s)"))
        }
        return .success(millis)
    }

    /// When a token described by `text` expires: a duration from `now` (`90d`, `12h`) or a time
    /// (`2027-03-31T00:00:00Z`), in the future; or why not.
    public static func expiry(_ text: String, now: Int64) -> Result<Int64, TokenRequestProblem> {
        if let millis = DurationText.milliseconds(text) {
            return millis > 0 ? .success(now + millis) : .failure(TokenRequestProblem("must be in the future"))
        }
        guard let at = Timestamps.parse(text) else {
            return .failure(TokenRequestProblem("must be a duration (90d, 12h, 30m) or a time (2027-03-31T00:00:00Z)"))
        }
        return at > now ? .success(at) : .failure(TokenRequestProblem("\(text) has already passed"))
    }

    /// Reads a `POST /v1/tokens` body: `name`, `scopes` (an array), optional `rate_limit`, `csm`
    /// and `expires` (a duration or a time). Every problem is named by its field.
    public static func parse(_ body: JSONValue, now: Int64) throws(HeraldError) -> TokenRequest {
        var reader = try FieldReader(body: body)
        reader.rejectUnknown(["name", "scopes", "rate_limit", "csm", "expires"])
        let name = reader.string("name", maxLength: 64)
        if let name, let problem = nameProblem(name) { reader.fail("name", problem) }
        if name == nil && !reader.problems.contains(where: { $0.name == "name" }) { reader.fail("name", "required") }
        var scopes = Set<APIScope>()
        switch reader.object["scopes"] {
        case .array(let items)? where !items.isEmpty:
            for item in items {
                guard case .string(let text) = item, let scope = APIScope(rawValue: text) else {
                    reader.fail("scopes", "each must be one of: send, read, resend, admin")
                    break
                }
                scopes.insert(scope)
            }
        case nil, .null?: reader.fail("scopes", "required: an array of send, read, resend, admin")
        default: reader.fail("scopes", "must be a non-empty array of send, read, resend, admin")
        }
        var rateLimit: Int?
        switch reader.object["rate_limit"] {
        case nil, .null?: break
        case .int(let n)? where rateLimitProblem(Int(clamping: n)) == nil: rateLimit = Int(n)
        default: reader.fail("rate_limit", "must be an integer from 1 to 1000000")
        }
        let csm = reader.string("csm", maxLength: 254)
        if let csm, let problem = csmProblem(csm) { reader.fail("csm", problem) }
        var expiresAt: Int64?
        if let text = reader.string("expires", maxLength: 64) {
            switch expiry(text, now: now) {
            case .success(let at): expiresAt = at
            case .failure(let problem): reader.fail("expires", problem.reason)
            }
        }
        try reader.check()
        guard let name else { throw .invalid(field: "name", "required") }
        return TokenRequest(name: name, scopes: scopes, rateLimit: rateLimit, csm: csm, expiresAt: expiresAt)
    }
}

/// Why a token request was refused (the text names no field: the caller knows which it checked).
public struct TokenRequestProblem: Error, Sendable, Equatable {
    public var reason: String
    public init(_ reason: String) { self.reason = reason }
}

/// Which tokens a listing shows: by status, and those nobody has used for a while (last use, or
/// creation for a token never used, at least `unusedFor` ago) — the candidates for revoking.
public struct TokenFilter: Sendable, Equatable {
    public var status: APIToken.Status?
    public var unusedFor: Int64?

    public init(status: APIToken.Status? = nil, unusedFor: Int64? = nil) {
        self.status = status
        self.unusedFor = unusedFor
    }

    /// The filter a listing's `status` and `unused_for` (`90d`) ask for; a problem names the field.
    public static func parse(status: String?, unusedFor: String?) throws(HeraldError) -> TokenFilter {
        var filter = TokenFilter()
        if let status {
            guard let value = APIToken.Status(rawValue: status) else {
                throw .invalid(field: "status", "must be one of: " + APIToken.Status.allCases.map(\.rawValue).joined(separator: ", "))
            }
            filter.status = value
        }
        if let unusedFor {
            guard let millis = DurationText.milliseconds(unusedFor), millis > 0 else {
                throw .invalid(field: "unused_for", "must be a duration such as 90d")
            }
            filter.unusedFor = millis
        }
        return filter
    }

    public func matches(_ token: APIToken, now: Int64) -> Bool {
        if let status, token.status(at: now) != status { return false }
        if let unusedFor, (token.lastUsedAt ?? token.createdAt) > now - unusedFor { return false }
        return true
    }
}
