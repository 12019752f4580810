extension APIToken {
    /// The token as `GET /v1/tokens` and `herald token list --json` show it (never its hash), with
    /// its secret when it was just made (`POST /v1/tokens`, a rotation) and is shown this once.
    public func json(now: Int64, secret: String? = nil) -> JSONValue {
        .object(fields(now: now, secret: secret))
    }

    private func fields(now: Int64, secret: String?) -> [String: JSONValue] {
        var fields: [String: JSONValue] = [
            "id": .string(id), "name": .string(name), "prefix": .string(prefix),
            "scopes": .array(scopes.sorted().map { .string($0.rawValue) }),
            "created_at": .string(Timestamps.format(createdAt)),
            "revoked_at": revokedAt.map { .string(Timestamps.format($0)) } ?? .null,
            "rate_limit": rateLimit.map { .int(Int64($0)) } ?? .null,
            "csm": csm.map(JSONValue.string) ?? .null,
            "expires_at": expiresAt.map { .string(Timestamps.format($0)) } ?? .null,
            "last_used_at": lastUsedAt.map { .string(Timestamps.format($0)) } ?? .null,
            "created_by": createdBy.map(JSONValue.string) ?? .null,
            "status": .string(status(at: now).rawValue),
        ]
        if let secret { fields["token"] = .string(secret) }
        return fields
    }

    /// The answer that carries a secret shown this once: `POST /v1/tokens`, a rotation, and the
    /// CLI's `--json` of both (`retired`: the old secret a rotation renamed).
    public func issuedJSON(secret: String, retired: APIToken? = nil) -> JSONValue {
        var fields = fields(now: createdAt, secret: secret)
        if let retired { fields["retired"] = retired.json(now: createdAt) }
        return .object(fields)
    }
}
