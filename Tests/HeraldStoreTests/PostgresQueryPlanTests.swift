import HeraldCore
import HeraldStore
import PostgresNIO
import Testing

@testable import HeraldPostgres

/// PostgreSQL's side of ``SQLiteQueryPlanTests``: a redrive's walk goes through the partial index
/// of the deliveries that gave up, not through every delivery ever kept.
@Suite struct PostgresQueryPlanTests {
    @Test(arguments: [[DeliveryState.dead], [.dead, .failed]], [true, false])
    func aRedriveWalksTheDeliveriesThatGaveUpOnly(states: [DeliveryState], dryRun: Bool) async throws {
        let url = try PostgresURL(try await TestDatabases.shared.create())
        let store = PostgresStore(url: url, maximumConnections: 2, logger: quiet)
        try await store.migrate()
        defer { Task { try? await store.close() } }
        let conn = try await PostgresConnection.connect(
            configuration: try url.connectionConfiguration(connectTimeout: 10), id: 1, logger: quiet)
        defer { Task { try? await conn.close() } }
        // An empty table costs the same read either way; without a sequential scan to fall back to,
        // the planner shows which indexes the query can use at all.
        try await conn.query("SET enable_seqscan = off", logger: quiet)
        let request = RedriveRequest(
            states: states, channel: "webhook", since: 1, after: "dlv_0", dryRun: dryRun, actor: "t", now: 2)
        let query = PostgresStore.pickQuery(request)
        let rows = try await conn.query(PostgresQuery(unsafeSQL: "EXPLAIN " + query.sql, binds: query.binds), logger: quiet)
        var plan: [String] = []
        for try await (line) in rows.decode(String.self) { plan.append(line) }
        #expect(plan.contains { $0.contains("deliveries_gave_up") }, "\(plan.joined(separator: "\n"))")
    }

    @Test func aDigestReadsTheDeliveriesThatGaveUpThroughIndexesOnly() async throws {
        let url = try PostgresURL(try await TestDatabases.shared.create())
        let store = PostgresStore(url: url, maximumConnections: 2, logger: quiet)
        try await store.migrate()
        defer { Task { try? await store.close() } }
        let conn = try await PostgresConnection.connect(
            configuration: try url.connectionConfiguration(connectTimeout: 10), id: 1, logger: quiet)
        defer { Task { try? await conn.close() } }
        try await conn.query("SET enable_seqscan = off", logger: quiet)
        func plan(_ query: PostgresQuery) async throws -> String {
            let rows = try await conn.query(PostgresQuery(unsafeSQL: "EXPLAIN " + query.sql, binds: query.binds), logger: quiet)
            var lines: [String] = []
            for try await line in rows.decode(String.self) { lines.append(line) }
            return lines.joined(separator: "\n")
        }
        let read = try await plan(PostgresStore.gaveUpQuery(clientIDs: ["a", "b"], since: 1, createdSince: 0, limit: 20))
        #expect(!read.contains("Seq Scan") && read.contains("Index Cond"), "\(read)")
    }
}
