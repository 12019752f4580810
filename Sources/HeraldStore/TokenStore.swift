import HeraldCore

/// API tokens, by the hash of their secret (the secret itself is never stored).
public protocol TokenStore: Sendable {
    /// Stores a new API token (its hash only). Throws `conflict` when the name is taken.
    func createToken(_ token: APIToken, hash: String) async throws

    /// All tokens, revoked ones included, oldest first.
    func tokens() async throws -> [APIToken]

    /// The token with this secret hash, or nil.
    func token(hash: String) async throws -> APIToken?

    /// Revokes a token by name; false when there is no such (unrevoked) token.
    func revokeToken(name: String, at: Int64) async throws -> Bool

    /// Replaces the token `name`, active at `replacement.createdAt`, with `replacement` (the same
    /// name, a new secret hashed as `hash`) in one transaction. The old token is renamed
    /// `retiredName` and keeps working until `retiredUntil` (or its own expiry, if sooner), so
    /// its users can move to the new secret. Returns the old token as it now is, or nil when no
    /// active token has that name; throws `conflict` when `retiredName` is taken.
    func rotateToken(name: String, replacement: APIToken, hash: String, retiredName: String, retiredUntil: Int64)
        async throws -> APIToken?

    /// Notes that the token `id` authenticated a request at `at`; never moves its last use back.
    func recordTokenUse(id: String, at: Int64) async throws
}
