import HeraldCore
import Logging
import PostgresNIO

/// Watches a `CREATE INDEX CONCURRENTLY` from a connection of its own and logs, every `every`,
/// what it is doing: while it waits for another session's transaction to end (an export, an idle
/// transaction left open), a warning naming that session (pid, application, user, client, since
/// when), never its statement's text, which may hold data.
struct IndexBuildWatcher: Sendable {
    let index: String
    /// The backend pid of the session building the index.
    let builder: Int32
    let every: Duration
    let logger: Logger

    /// Runs until cancelled (the build has ended); returns early when it cannot connect.
    func watch(_ connect: @Sendable () async throws -> PostgresConnection) async {
        let conn: PostgresConnection
        do { conn = try await connect() } catch {
            logger.debug("cannot watch the index build", metadata: ["index": "\(index)", "error": "\(String(reflecting: error))"])
            return
        }
        defer { Task { try? await conn.close() } }
        while !Task.isCancelled {
            do {
                try await Task.sleep(for: every)
                try await report(conn)
            } catch is CancellationError {
                return
            } catch {
                if Task.isCancelled { return }
                logger.debug("cannot read the index build's progress", metadata: ["index": "\(index)", "error": "\(String(reflecting: error))"])
            }
        }
    }

    /// One progress line from `pg_stat_progress_create_index` and, for the session it waits for,
    /// `pg_stat_activity`.
    func report(_ conn: PostgresConnection) async throws {
        let query: PostgresQuery = """
            SELECT p.phase::text AS phase, p.current_locker_pid::bigint AS locker, p.lockers_total::bigint AS lockers,
                   p.lockers_done::bigint AS lockers_done, p.blocks_total::bigint AS blocks, p.blocks_done::bigint AS blocks_done,
                   a.application_name::text AS application, a.usename::text AS usename, host(a.client_addr) AS client,
                   a.state::text AS state, (extract(epoch FROM a.xact_start) * 1000)::bigint AS since
            FROM pg_stat_progress_create_index p LEFT JOIN pg_stat_activity a ON a.pid = p.current_locker_pid
            WHERE p.pid = \(builder)
            """
        guard let row = try await conn.row(query, logger: logger) else { return }
        let phase: String = try row["phase"] ?? "-"
        let locker: Int64 = try row["locker"] ?? 0
        var metadata: Logger.Metadata = ["index": "\(index)", "phase": "\(phase)", "builder_pid": "\(builder)"]
        guard locker != 0 else {
            let blocks: Int64 = try row["blocks"] ?? 0
            let done: Int64 = try row["blocks_done"] ?? 0
            if blocks > 0 { metadata["blocks"] = "\(done)/\(blocks)" }
            logger.info("index build in progress", metadata: metadata)
            return
        }
        metadata["blocker_pid"] = "\(locker)"
        let lockers: Int64 = try row["lockers"] ?? 0
        let lockersDone: Int64 = try row["lockers_done"] ?? 0
        if lockers > 0 { metadata["waited_for"] = "\(lockersDone)/\(lockers)" }
        if let application: String = try row["application"], !application.isEmpty { metadata["blocker_application"] = "\(application)" }
        if let user: String = try row["usename"] { metadata["blocker_user"] = "\(user)" }
        if let client: String = try row["client"] { metadata["blocker_client"] = "\(client)" }
        let state: String? = try row["state"]
        if let state { metadata["blocker_state"] = "\(state)" }
        // A statement running can be cancelled; a session idle in its transaction has to be ended.
        let ends = state?.hasPrefix("idle in transaction") == true ? "pg_terminate_backend" : "pg_cancel_backend"
        metadata["hint"] = "SELECT \(ends)(\(locker))"
        if let since: Int64 = try row["since"] { metadata["blocker_transaction_since"] = "\(Timestamps.format(since, fractionalSeconds: false))" }
        logger.warning("index build waiting for another session's transaction to end", metadata: metadata)
    }
}
