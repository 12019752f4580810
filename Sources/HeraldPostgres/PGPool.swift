import HeraldCore
import Logging
import PostgresNIO

/// Transactions on the client's connection pool.
struct PGPool: Sendable {
    let client: PostgresClient
    let logger: Logger

    /// Runs `body` in one read-write transaction. Serialisation failures and deadlocks (another
    /// instance touched the same rows) roll back and run `body` again, up to three times.
    func write<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        var attempt = 0
        while true {
            attempt += 1
            do {
                return try await transaction("BEGIN", body)
            } catch let error as PSQLError where attempt < 3 && PostgresErrors.isRetryable(error) {
                logger.debug("transaction retried", metadata: ["sqlstate": "\(error.serverInfo?[.sqlState] ?? "")"])
            }
        }
    }

    /// Runs `body` on one consistent snapshot (several statements see the same database).
    func read<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        try await transaction("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", body)
    }

    private func transaction<T: Sendable>(_ begin: String, _ body: (PostgresConnection) async throws -> T) async throws -> T {
        do {
            return try await client.withConnection { conn in
                try await conn.run(PostgresQuery(unsafeSQL: begin), logger: logger)
                do {
                    let value = try await body(conn)
                    try await conn.run("COMMIT", logger: logger)
                    return value
                } catch {
                    try? await conn.run("ROLLBACK", logger: logger)
                    throw error
                }
            }
        } catch let error as PSQLError {
            throw PostgresErrors.map(error)
        }
    }
}
