import Foundation
import HeraldCore
import HeraldStore
import Logging
import PostgresNIO

/// The scale-out store: several Herald instances share one PostgreSQL database. Claims lease rows
/// with `FOR UPDATE SKIP LOCKED`, so instances never claim the same delivery twice; a commit that
/// returned is durable (the server's `synchronous_commit`, on by default). Enqueues from
/// concurrent requests of one instance share transactions (group commit), as on SQLite.
public final class PostgresStore: Store {
    let pool: PGPool
    let logger: Logger
    public let url: PostgresURL
    private let runner: Task<Void, Never>
    private let committer: GroupCommitter

    /// Connects lazily (the first query opens a connection). Call ``migrate()`` before use.
    /// `wakeHorizon`: the dispatchers' poll interval; an enqueue announces its work to the other
    /// instances only when some of it is due within it (see ``DispatchWake``).
    public init(
        url: PostgresURL, maximumConnections: Int = 16, wakeHorizon: Int64 = 1_000,
        logger: Logger = Logger(label: "herald.store")
    ) {
        self.url = url
        self.logger = logger
        // The pool's own log says at warning level that the first lease can come before run() started
        // (it waits, nothing fails); failures reach the callers as errors. Its errors stay.
        var background = logger
        background.logLevel = .error
        let client = PostgresClient(
            configuration: url.configuration(maximumConnections: maximumConnections), backgroundLogger: background)
        let pool = PGPool(client: client, logger: logger)
        self.pool = pool
        runner = Task { await client.run() }
        committer = GroupCommitter { groups in
            try await pool.write { conn in
                // Every request's messages in one set of statements, then split back per request.
                let all = try await PostgresEnqueue.insert(groups.flatMap { $0 }, conn: conn, logger: logger)
                var results: [[EnqueueResult]] = []
                var next = 0
                for messages in groups {
                    results.append(Array(all[next..<next + messages.count]))
                    next += messages.count
                }
                // Delivered to the listeners of every instance when (and only if) this commits; only
                // for work due before their next regular look (each NOTIFY is a statement, and takes
                // PostgreSQL's notification-queue lock at commit).
                if DispatchWake.needed(for: all, now: Timestamps.now(), horizon: wakeHorizon) {
                    try await conn.run("SELECT pg_notify(\(Self.workChannel), 'enqueued')", logger: logger)
                }
                return results
            }
        }
    }

    /// Opens one connection outside the pool and closes it: the pool retries a failing server
    /// quietly for a minute, this says at once what is wrong (refused, TLS, password, no database).
    public func probe(timeout seconds: Int64 = 10) async throws {
        try? await connectAlone(timeout: seconds).close()
    }

    public func migrate() async throws {
        try await migrate(PostgresMigrations.all)
    }

    /// Applies `migrations` (tests stop short of the last ones) on a connection outside the pool;
    /// an index build's progress is logged every `reportEvery`.
    func migrate(_ migrations: [PostgresMigrations.Migration], reportEvery: Duration = .seconds(10)) async throws {
        let connection = try await connectAlone(timeout: 10)
        var migrator = PostgresMigrator(migrations: migrations, logger: logger)
        migrator.connect = { try await self.connectAlone(timeout: 10) }
        migrator.reportEvery = reportEvery
        do {
            try await migrator.run(on: connection)
        } catch let error as PSQLError {
            try? await connection.close()
            throw PostgresErrors.map(error)
        } catch {
            try? await connection.close()
            throw error
        }
        try? await connection.close()
    }

    private func connectAlone(timeout seconds: Int64) async throws -> PostgresConnection {
        do {
            return try await PostgresConnection.connect(
                configuration: try url.connectionConfiguration(connectTimeout: seconds), id: 0, logger: logger)
        } catch {
            throw HeraldError.unavailable("cannot connect to PostgreSQL at \(url.redacted): \(PostgresErrors.describe(error))")
        }
    }

    public func enqueue(_ messages: [PlannedMessage]) async throws -> [EnqueueResult] {
        if messages.isEmpty { return [] }
        return try await committer.submit(messages)
    }

    public func checkWritable() async throws {
        try await write { conn in
            let readOnly: String = try await conn.row("SHOW transaction_read_only", logger: self.logger)?["transaction_read_only"] ?? "on"
            guard readOnly == "off" else { throw HeraldError.unavailable("the PostgreSQL server is read-only (a standby?)") }
        }
    }

    public func close() async throws {
        runner.cancel()
        _ = await runner.result
    }

    public func queueDepth() async throws -> [DeliveryState: Int] {
        try await read { conn in
            var depth: [DeliveryState: Int] = [:]
            for row in try await conn.rows("SELECT state, COUNT(*) AS n FROM deliveries GROUP BY state", logger: self.logger) {
                if let state = DeliveryState(rawValue: try row["state"]) { depth[state] = try row["n"] }
            }
            return depth
        }
    }

    func write<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        try await pool.write(body)
    }

    func read<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        try await pool.read(body)
    }
}
