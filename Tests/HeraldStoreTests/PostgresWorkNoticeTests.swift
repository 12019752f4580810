import HeraldCore
import HeraldStore
import Logging
import PostgresNIO
import Testing

@testable import HeraldPostgres

/// An enqueue on PostgreSQL announces its work to the other instances (`NOTIFY herald_work`) only
/// when some of it is due before their next regular look. Notifications arrive in commit order, so
/// a marker the test sends after an enqueue shows whether that enqueue announced anything.
@Suite struct PostgresWorkNoticeTests {
    @Test func onlyWorkDueWithinThePollIntervalIsAnnounced() async throws {
        let url = try PostgresURL(try await TestDatabases.shared.create())
        let store = PostgresStore(url: url, maximumConnections: 4, wakeHorizon: 1_000, logger: quiet)
        try await store.migrate()
        defer { Task { try? await store.close() } }
        let listener = try await PostgresConnection.connect(
            configuration: try url.connectionConfiguration(connectTimeout: 10), id: 1, logger: quiet)
        let marker = try await PostgresConnection.connect(
            configuration: try url.connectionConfiguration(connectTimeout: 10), id: 2, logger: quiet)
        defer { Task { try? await listener.close(); try? await marker.close() } }

        let payloads = try await listener.listen(on: PostgresStore.workChannel) { notifications -> [String] in
            var iterator = notifications.makeAsyncIterator()
            var seen: [String] = []
            func next() async throws -> String { try #require(try await iterator.next()).payload }
            let now = Timestamps.now()
            // Scheduled beyond the poll interval: a dispatcher finds it at a regular look.
            _ = try await store.enqueue([Fixtures.planned(sendAt: now + 3_600_000, now: now)])
            // (A minute, not just past the horizon: the store judges at its commit, which on a loaded
            // machine comes a while after `now`. The boundary itself is DispatchWakeTests'.)
            _ = try await store.enqueue([Fixtures.planned(sendAt: now + 60_000, now: now)])
            try await marker.query("SELECT pg_notify('herald_work', 'marker')", logger: quiet)
            seen.append(try await next())
            // Due now, and due within the poll interval: announced.
            _ = try await store.enqueue([Fixtures.planned(now: now)])
            seen.append(try await next())
            _ = try await store.enqueue([Fixtures.planned(sendAt: now + 500, now: now)])
            try await marker.query("SELECT pg_notify('herald_work', 'marker')", logger: quiet)
            seen.append(try await next())
            seen.append(try await next())
            return seen
        }
        #expect(payloads == ["marker", "enqueued", "enqueued", "marker"])
    }
}
