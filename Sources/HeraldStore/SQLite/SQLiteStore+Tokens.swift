import GRDB
import HeraldCore

// MARK: - API tokens (hashes only).

extension SQLiteStore {
    public func createToken(_ token: APIToken, hash: String) async throws {
        do {
            try await pool.write { db in try Self.insert(token, hash: hash, db: db) }
        } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT {
            throw HeraldError.conflict("a token named '\(token.name)' already exists")
        }
    }

    public func rotateToken(name: String, replacement: APIToken, hash: String, retiredName: String, retiredUntil: Int64)
        async throws -> APIToken?
    {
        do {
            return try await pool.write { db -> APIToken? in
                guard
                    var old = try Row.fetchOne(
                        db,
                        sql: """
                            SELECT \(StoreColumns.token) FROM api_tokens
                            WHERE name = ? AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ?)
                            """,
                        arguments: [name, replacement.createdAt]
                    ).map(Self.token(from:))
                else { return nil }
                old.name = retiredName
                old.expiresAt = min(old.expiresAt ?? retiredUntil, retiredUntil)
                try db.execute(
                    sql: "UPDATE api_tokens SET name = ?, expires_at = ? WHERE id = ?", arguments: [old.name, old.expiresAt, old.id])
                try Self.insert(replacement, hash: hash, db: db)
                return old
            }
        } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT {
            throw HeraldError.conflict("a token named '\(retiredName)' already exists")
        }
    }

    private static func insert(_ token: APIToken, hash: String, db: Database) throws {
        try db.execute(
            sql: """
                INSERT INTO api_tokens (id, name, hash, prefix, scopes, created_at, rate_limit, csm, expires_at, created_by)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                token.id, token.name, hash, token.prefix, token.scopes.sorted().map(\.rawValue).joined(separator: ","),
                token.createdAt, token.rateLimit, token.csm, token.expiresAt, token.createdBy,
            ])
    }

    public func tokens() async throws -> [APIToken] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT \(StoreColumns.token) FROM api_tokens ORDER BY id")
                .map(Self.token(from:))
        }
    }

    public func token(hash: String) async throws -> APIToken? {
        try await pool.read { db in
            try Row.fetchOne(
                db.cachedStatement(sql: "SELECT \(StoreColumns.token) FROM api_tokens WHERE hash = ?"),
                arguments: [hash]
            ).map(Self.token(from:))
        }
    }

    public func revokeToken(name: String, at: Int64) async throws -> Bool {
        try await pool.write { db in
            try db.execute(sql: "UPDATE api_tokens SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL", arguments: [at, name])
            return db.changesCount > 0
        }
    }

    public func recordTokenUse(id: String, at: Int64) async throws {
        try await pool.write { db in
            try db.execute(
                sql: "UPDATE api_tokens SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)",
                arguments: [at, id, at])
        }
    }

    static func token(from row: Row) -> APIToken {
        let scopes = (row["scopes"] as String).split(separator: ",").compactMap { APIScope(rawValue: String($0)) }
        return APIToken(
            id: row["id"], name: row["name"], scopes: Set(scopes), prefix: row["prefix"], createdAt: row["created_at"],
            revokedAt: row["revoked_at"], rateLimit: row["rate_limit"], csm: row["csm"], expiresAt: row["expires_at"],
            lastUsedAt: row["last_used_at"], createdBy: row["created_by"])
    }
}
