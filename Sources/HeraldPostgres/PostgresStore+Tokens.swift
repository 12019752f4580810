import HeraldCore
import HeraldStore
import PostgresNIO

// MARK: - API tokens (hashes only).

extension PostgresStore {
    public func createToken(_ token: APIToken, hash: String) async throws {
        let inserted = try await write { conn in try await self.insert(token, hash: hash, conn) }
        guard inserted else { throw HeraldError.conflict("a token named '\(token.name)' already exists") }
    }

    public func rotateToken(name: String, replacement: APIToken, hash: String, retiredName: String, retiredUntil: Int64)
        async throws -> APIToken?
    {
        enum Outcome: Sendable { case missing, taken, rotated(APIToken) }
        let outcome = try await write { conn -> Outcome in
            guard
                var old = try await conn.row(
                    PostgresQuery(
                        unsafeSQL: """
                            SELECT \(StoreColumns.token) FROM api_tokens
                            WHERE name = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $2) FOR UPDATE
                            """,
                        binds: PostgresQueries.binds(name, replacement.createdAt)),
                    logger: self.logger
                ).map(Self.token(from:))
            else { return .missing }
            old.name = retiredName
            old.expiresAt = min(old.expiresAt ?? retiredUntil, retiredUntil)
            let renamed = try await conn.row(
                """
                UPDATE api_tokens SET name = \(retiredName), expires_at = \(old.expiresAt) WHERE id = \(old.id)
                    AND NOT EXISTS (SELECT 1 FROM api_tokens WHERE name = \(retiredName)) RETURNING id
                """, logger: self.logger) != nil
            guard renamed else { return .taken }
            guard try await self.insert(replacement, hash: hash, conn) else { throw HeraldError.conflict("a token named '\(name)' already exists") }
            return .rotated(old)
        }
        switch outcome {
        case .missing: return nil
        case .taken: throw HeraldError.conflict("a token named '\(retiredName)' already exists")
        case .rotated(let old): return old
        }
    }

    /// Inserts a token; false when its name is taken.
    private func insert(_ token: APIToken, hash: String, _ conn: PostgresConnection) async throws -> Bool {
        try await conn.row(
            """
            INSERT INTO api_tokens (id, name, hash, prefix, scopes, created_at, rate_limit, csm, expires_at, created_by)
            VALUES (\(token.id), \(token.name), \(hash), \(token.prefix),
                \(token.scopes.sorted().map(\.rawValue).joined(separator: ",")), \(token.createdAt), \(token.rateLimit),
                \(token.csm), \(token.expiresAt), \(token.createdBy))
            ON CONFLICT DO NOTHING RETURNING id
            """, logger: self.logger) != nil
    }

    public func tokens() async throws -> [APIToken] {
        try await read { conn in
            try await conn.rows(
                PostgresQuery(unsafeSQL: "SELECT \(StoreColumns.token) FROM api_tokens ORDER BY id"), logger: self.logger
            ).map(Self.token(from:))
        }
    }

    public func token(hash: String) async throws -> APIToken? {
        try await read { conn in
            try await conn.row(
                PostgresQuery(
                    unsafeSQL: "SELECT \(StoreColumns.token) FROM api_tokens WHERE hash = $1", binds: PostgresQueries.binds(hash)),
                logger: self.logger
            ).map(Self.token(from:))
        }
    }

    public func revokeToken(name: String, at: Int64) async throws -> Bool {
        try await write { conn in
            try await conn.row(
                "UPDATE api_tokens SET revoked_at = \(at) WHERE name = \(name) AND revoked_at IS NULL RETURNING id",
                logger: self.logger) != nil
        }
    }

    public func recordTokenUse(id: String, at: Int64) async throws {
        try await write { conn in
            try await conn.run(
                "UPDATE api_tokens SET last_used_at = \(at) WHERE id = \(id) AND (last_used_at IS NULL OR last_used_at < \(at))",
                logger: self.logger)
        }
    }

    static func token(from row: PGRow) throws -> APIToken {
        let scopes = (try row["scopes"] as String).split(separator: ",").compactMap { APIScope(rawValue: String($0)) }
        return APIToken(
            id: try row["id"], name: try row["name"], scopes: Set(scopes), prefix: try row["prefix"],
            createdAt: try row["created_at"], revokedAt: try row["revoked_at"], rateLimit: try row["rate_limit"],
            csm: try row["csm"], expiresAt: try row["expires_at"], lastUsedAt: try row["last_used_at"],
            createdBy: try row["created_by"])
    }
}
