import HeraldCore
import HeraldStore
import PostgresNIO
import Testing

@testable import HeraldPostgres

/// PostgreSQL's side of ``SQLiteQueryPlanTests``: a redrive's walk and a digest's read of what gave
/// up go through indexes (the partial index of the deliveries that gave up among them), not through
/// every delivery ever kept.
@Suite struct PostgresQueryPlanTests {
    /// The plan of each query on a new, migrated database. An empty table costs the same read
    /// either way; without a sequential scan to fall back to, the planner shows which indexes the
    /// query can use at all.
    private func plans(_ queries: [PostgresQuery]) async throws -> [String] {
        let url = try PostgresURL(try await TestDatabases.shared.create())
        let store = PostgresStore(url: url, maximumConnections: 2, logger: quiet)
        try await store.migrate()
        defer { Task { try? await store.close() } }
        let conn = try await PostgresConnection.connect(
            configuration: try url.connectionConfiguration(connectTimeout: 10), id: 1, logger: quiet)
        defer { Task { try? await conn.close() } }
        try await conn.query("SET enable_seqscan = off", logger: quiet)
        var plans: [String] = []
        for query in queries {
            let rows = try await conn.query(PostgresQuery(unsafeSQL: "EXPLAIN " + query.sql, binds: query.binds), logger: quiet)
            var lines: [String] = []
            for try await line in rows.decode(String.self) { lines.append(line) }
            plans.append(lines.joined(separator: "\n"))
        }
        return plans
    }

    @Test(arguments: [[DeliveryState.dead], [.dead, .failed]], [true, false])
    func aRedriveWalksTheDeliveriesThatGaveUpOnly(states: [DeliveryState], dryRun: Bool) async throws {
        let request = RedriveRequest(
            states: states, channel: "webhook", since: 1, after: "dlv_0", dryRun: dryRun, actor: "t", now: 2)
        let plan = try await plans([PostgresStore.pickQuery(request)]).joined()
        #expect(plan.contains("deliveries_gave_up"), "\(plan)")
    }

    @Test func aDigestReadsTheDeliveriesThatGaveUpThroughIndexesOnly() async throws {
        let plan = try await plans([PostgresStore.gaveUpQuery(clientIDs: ["a", "b"], since: 1, createdSince: 0, limit: 20)]).joined()
        #expect(!plan.contains("Seq Scan") && plan.contains("Index Cond"), "\(plan)")
    }
}
