import HeraldCore

/// Makes, rotates and revokes API tokens for the CLI and the API alike: the secret is generated
/// here, shown once by the caller, and only its hash is stored. Each change is written to the audit
/// log with its actor.
public enum TokenIssuer {
    public typealias Storage = TokenStore & AuditStore

    /// A new token as `request` describes it; throws `conflict` when the name is taken.
    public static func create(_ request: TokenRequest, actor: String, store: any Storage, now: Int64) async throws
        -> (token: APIToken, secret: String)
    {
        let secret = TokenSecret.generate()
        let token = APIToken(
            id: HeraldID.make(.token), name: request.name, scopes: request.scopes, prefix: String(secret.prefix(9)),
            createdAt: now, revokedAt: nil, rateLimit: request.rateLimit, csm: request.csm, expiresAt: request.expiresAt,
            createdBy: actor)
        try await store.createToken(token, hash: TokenSecret.hash(secret))
        var detail = ["scopes " + token.scopes.map(\.rawValue).sorted().joined(separator: ",")]
        if let limit = token.rateLimit { detail.append("rate limit \(limit)/s") }
        if let csm = token.csm { detail.append("CSM \(csm)") }
        if let expiry = token.expiresAt { detail.append("expires \(Timestamps.format(expiry, fractionalSeconds: false))") }
        await store.audit(.make(.tokenCreated, subject: token.name, detail: detail.joined(separator: "; "), actor: actor, at: now))
        return (token, secret)
    }

    /// Revokes the active token `name` (it stops working within a second); false when there is none.
    public static func revoke(name: String, actor: String, store: any Storage, now: Int64) async throws -> Bool {
        guard try await store.revokeToken(name: name, at: now) else { return false }
        await store.audit(.make(.tokenRevoked, subject: name, actor: actor, at: now))
        return true
    }

    /// A new secret for the active token `name`, with its scopes, rate limit, CSM and lifetime
    /// (`expiresAt` instead, when given); the old secret is renamed `NAME-retired-YYYYMMDD-HHMMSS`
    /// (`-2`, `-3`… for another rotation within the second) and works `grace` milliseconds more.
    /// Nil when no active token has that name.
    public static func rotate(name: String, grace: Int64, expiresAt: Int64?, actor: String, store: any Storage, now: Int64)
        async throws
        -> (token: APIToken, secret: String, retired: APIToken)?
    {
        guard let current = try await store.tokens().first(where: { $0.name == name && $0.isActive(at: now) }) else { return nil }
        let secret = TokenSecret.generate()
        let lifetime = current.expiresAt.map { $0 - current.createdAt }
        let replacement = APIToken(
            id: HeraldID.make(.token), name: name, scopes: current.scopes, prefix: String(secret.prefix(9)), createdAt: now,
            revokedAt: nil, rateLimit: current.rateLimit, csm: current.csm, expiresAt: expiresAt ?? lifetime.map { now + $0 },
            createdBy: actor)
        for attempt in 1...20 {
            let retiredName = "\(name)-retired-\(stamp(now))" + (attempt == 1 ? "" : "-\(attempt)")
            do {
                guard let old = try await store.rotateToken(
                    name: name, replacement: replacement, hash: TokenSecret.hash(secret), retiredName: retiredName,
                    retiredUntil: now + grace)
                else { return nil }
                let until = old.expiresAt.map { Timestamps.format($0, fractionalSeconds: false) } ?? "-"
                await store.audit(.make(
                    .tokenRotated, subject: name, detail: "the old secret, now \(old.name), works until \(until)", actor: actor,
                    at: now))
                return (replacement, secret, old)
            } catch let error as HeraldError where error.kind == .conflict && attempt < 20 {
                continue
            }
        }
        return nil
    }

    /// `20261207-104512` (UTC): a name suffix that sorts by time.
    static func stamp(_ millis: Int64) -> String {
        let digits = String(Timestamps.format(millis, fractionalSeconds: false).filter(\.isASCII).filter(\.isNumber))
        return String(digits.prefix(8)) + "-" + String(digits.dropFirst(8).prefix(6))
    }
}
