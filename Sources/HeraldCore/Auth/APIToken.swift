import Crypto
import Foundation

/// What an API token may do.
public enum APIScope: String, Sendable, Codable, CaseIterable, Comparable {
    /// Enqueue and cancel messages.
    case send
    /// Read messages, deliveries, events.
    case read
    /// Resend messages (CSM tools).
    case resend
    /// Everything, including the client registry and token-free operations.
    case admin

    private var rank: Int {
        switch self {
        case .send: 0
        case .read: 1
        case .resend: 2
        case .admin: 3
        }
    }

    public static func < (lhs: APIScope, rhs: APIScope) -> Bool { lhs.rank < rhs.rank }
}

/// A stored API token: only a SHA-256 hash of the secret is kept.
public struct APIToken: Sendable, Equatable {
    public var id: String
    public var name: String
    public var scopes: Set<APIScope>
    /// The first characters of the secret (`hrld_AbCd`), to recognise a token in listings.
    public var prefix: String
    public var createdAt: Int64
    public var revokedAt: Int64?
    /// Requests per second this token may make (bursts up to one second's worth); nil: unlimited.
    public var rateLimit: Int?
    /// The CSM this token belongs to (their email, as `clients` name them): the dashboard's "me".
    public var csm: String?
    /// When the token stops working (ms since 1970); nil: until revoked.
    public var expiresAt: Int64?
    /// When the token last authenticated a request, to the minute (ms since 1970); nil: never.
    public var lastUsedAt: Int64?
    /// Who made it (`cli:USER`, `token:NAME`); nil for tokens made before Herald kept it.
    public var createdBy: String?

    public init(
        id: String, name: String, scopes: Set<APIScope>, prefix: String, createdAt: Int64, revokedAt: Int64?,
        rateLimit: Int? = nil, csm: String? = nil, expiresAt: Int64? = nil, lastUsedAt: Int64? = nil, createdBy: String? = nil
    ) {
        self.createdBy = createdBy
        self.rateLimit = rateLimit
        self.csm = csm
        self.expiresAt = expiresAt
        self.lastUsedAt = lastUsedAt
        self.id = id
        self.name = name
        self.scopes = scopes
        self.prefix = prefix
        self.createdAt = createdAt
        self.revokedAt = revokedAt
    }

    /// Whether the token works at `now`: not revoked and not past its expiry.
    public func isActive(at now: Int64) -> Bool {
        revokedAt == nil && !isExpired(at: now)
    }

    /// Whether the token's expiry has passed at `now`.
    public func isExpired(at now: Int64) -> Bool {
        expiresAt.map { $0 <= now } ?? false
    }

    /// Whether the token works at `now`, and if not, why.
    public enum Status: String, Sendable, CaseIterable {
        case active, expired, revoked
    }

    /// The token's status at `now` (a revocation wins over an expiry).
    public func status(at now: Int64) -> Status {
        revokedAt != nil ? .revoked : isExpired(at: now) ? .expired : .active
    }

    /// Whether the token works at `now` and grants `scope` (`admin` grants all).
    public func allows(_ scope: APIScope, at now: Int64) -> Bool {
        isActive(at: now) && (scopes.contains(scope) || scopes.contains(.admin))
    }

    /// The name the token was made under: a secret retired by a rotation
    /// (`crm-retired-20261207-104512`, `…-2`) belongs to `crm`. Rate limits count per lineage, so
    /// the old and the new secret share one limit while both work.
    public var lineage: String { Self.lineage(of: name) }

    /// The lineage a token named `name` has (see ``lineage``).
    public static func lineage(of name: String) -> String {
        guard let range = name.range(of: "-retired-", options: .backwards) else { return name }
        let suffix = name[range.upperBound...].split(separator: "-", omittingEmptySubsequences: false)
        let stamp = suffix.count >= 2 && suffix[0].count == 8 && suffix[1].count == 6
            && suffix.prefix(2).allSatisfy { $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }
            && (suffix.count == 2 || (suffix.count == 3 && !suffix[2].isEmpty && suffix[2].allSatisfy(\.isNumber)))
        return stamp ? String(name[..<range.lowerBound]) : name
    }

    /// How often a token's use is written down: ``lastUsedAt`` is at most this much behind.
    public static let usageResolution: Int64 = 60_000

    /// Whether a request authenticated at `now` should update ``lastUsedAt``.
    public func usageIsStale(at now: Int64) -> Bool {
        lastUsedAt.map { now - $0 >= Self.usageResolution } ?? true
    }
}

/// Making and hashing token secrets: `hrld_` + 32 random bytes in base64url. The secret has 256
/// bits of entropy, so a plain SHA-256 is enough to store it (no slow password hash needed).
public enum TokenSecret {
    public static let prefix = "hrld_"

    public static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return prefix + ByteEncoding.base64url(bytes)
    }

    /// Hex SHA-256 of the secret (hashed from the string's own UTF-8 storage, no `Data` copy).
    public static func hash(_ secret: String) -> String {
        var secret = secret
        return secret.withUTF8 { ByteEncoding.hex(SHA256.hash(data: UnsafeRawBufferPointer($0))) }
    }

    /// Whether `text` has the shape of a token (cheap check before any lookup).
    public static func looksValid(_ text: String) -> Bool {
        text.hasPrefix(prefix) && text.utf8.count == prefix.utf8.count + 43
            && text.utf8.dropFirst(prefix.utf8.count).allSatisfy(ByteEncoding.isBase64url)
    }
}
