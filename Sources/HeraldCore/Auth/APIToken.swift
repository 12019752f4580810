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

    public init(
        id: String, name: String, scopes: Set<APIScope>, prefix: String, createdAt: Int64, revokedAt: Int64?,
        rateLimit: Int? = nil, csm: String? = nil
    ) {
        self.rateLimit = rateLimit
        self.csm = csm
        self.id = id
        self.name = name
        self.scopes = scopes
        self.prefix = prefix
        self.createdAt = createdAt
        self.revokedAt = revokedAt
    }

    /// Whether the token grants `scope` (`admin` grants all).
    public func allows(_ scope: APIScope) -> Bool {
        revokedAt == nil && (scopes.contains(scope) || scopes.contains(.admin))
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
