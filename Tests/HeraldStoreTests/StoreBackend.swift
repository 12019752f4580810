import Foundation
import HeraldCore
import HeraldPostgres
import HeraldStore
import Logging
import PostgresNIO

/// The backends the store suite runs against: every store test runs once per backend.
enum StoreBackend: String, CaseIterable, CustomTestStringConvertible {
    case sqlite
    case postgres

    var testDescription: String { rawValue }

    /// A fresh, migrated store in a temporary place; `cleanup` removes it.
    func make() async throws -> (store: any Store, cleanup: @Sendable () -> Void) {
        switch self {
        case .sqlite:
            let dir = NSTemporaryDirectory() + "herald-store-\(UUID().uuidString)"
            let store = try SQLiteStore(path: dir + "/herald.db")
            try await store.migrate()
            return (store, { try? FileManager.default.removeItem(atPath: dir) })
        case .postgres:
            let url = try PostgresURL(try await TestDatabases.shared.create())
            let store = PostgresStore(url: url, maximumConnections: 4, logger: quiet)
            try await store.migrate()
            return (store, { Task { try? await store.close() } })
        }
    }

    /// `count` handles on one fresh database, as separate processes would hold them (SQLite: pools
    /// on one file; PostgreSQL: clients of one database).
    func makeShared(count: Int) async throws -> (stores: [any Store], cleanup: @Sendable () -> Void) {
        switch self {
        case .sqlite:
            let dir = NSTemporaryDirectory() + "herald-store-\(UUID().uuidString)"
            var stores: [any Store] = []
            for _ in 0..<count {
                let store = try SQLiteStore(path: dir + "/herald.db")
                try await store.migrate()
                stores.append(store)
            }
            return (stores, { try? FileManager.default.removeItem(atPath: dir) })
        case .postgres:
            let url = try PostgresURL(try await TestDatabases.shared.create())
            var stores: [PostgresStore] = []
            for _ in 0..<count {
                let store = PostgresStore(url: url, maximumConnections: 4, logger: quiet)
                try await store.migrate()
                stores.append(store)
            }
            let all = stores
            return (all, { Task { for store in all { try? await store.close() } } })
        }
    }
}

/// The PostgreSQL stores' log in tests: warnings only (every test migrates a new database).
let quiet: Logger = {
    var logger = Logger(label: "herald.store.test")
    logger.logLevel = .warning
    return logger
}()

/// A new, empty database per test on the server `scripts/test` starts (`HERALD_TEST_POSTGRES_URL`).
/// Databases are left for the throw-away cluster to take with it.
actor TestDatabases {
    static let shared = TestDatabases()
    private var admin: PostgresClient?
    private var runner: Task<Void, Never>?

    func create() async throws -> String {
        guard let base = ProcessInfo.processInfo.environment["HERALD_TEST_POSTGRES_URL"], !base.isEmpty else {
            throw HeraldError.configuration(
                "HERALD_TEST_POSTGRES_URL is not set: run the suite with scripts/test, which starts a PostgreSQL server "
                    + "(or `scripts/postgres start DIR PORT` and export the URL it prints)")
        }
        let url = try PostgresURL(base)
        let client: PostgresClient
        if let admin { client = admin } else {
            client = PostgresClient(configuration: url.configuration(maximumConnections: 2))
            admin = client
            runner = Task { await client.run() }
        }
        let name = "t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        try await client.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"))
        return "postgres://\(url.user)@\(url.host):\(url.port)/\(name)"
    }
}

import Testing

/// Builds planned messages for tests.
enum Fixtures {
    static func planned(
        to destinations: [(String, String)] = [("webhook", "https://example.com/hook")],
        key: String? = nil,
        text: String = "hello",
        clientID: String? = nil,
        template: String? = nil,
        sendAt: Int64? = nil,
        expiresAt: Int64? = nil,
        now: Int64 = Timestamps.now()
    ) -> PlannedMessage {
        let request = MessageRequest(
            idempotencyKey: key, clientID: clientID, template: template, text: text,
            destinations: destinations.map { .init(channel: $0.0, address: $0.1) }, sendAt: sendAt, expiresAt: expiresAt)
        return PlannedMessage(request: request, now: now, actor: "test")
    }

    /// One email to `address` with an "unless opened" escalation via `channel` due at `dueAt`.
    static func escalating(
        to address: String = "lin@xinghe.example", dueAt: Int64, via channel: String = "webhook",
        destination: String = "https://crm.example/hook", now: Int64
    ) -> PlannedMessage {
        var planned = planned(to: [("email", address)], now: now)
        planned.escalation = PlannedEscalation(dueAt: dueAt, unless: .opened, channel: channel, destination: destination)
        return planned
    }

    /// Claims what `channel` has due at `now` and records each as sent, as the dispatcher would.
    @discardableResult
    static func send(_ store: any Store, channel: String = "email", now: Int64) async throws -> [ClaimedDelivery] {
        try await settle(store, channel: channel, now: now, status: 250, outcome: .sent(providerID: nil), as: .sent)
    }

    /// Claims what `channel` has due at `now` and records each as failed permanently (HTTP 410).
    @discardableResult
    static func fail(_ store: any Store, channel: String = "webhook", now: Int64) async throws -> [ClaimedDelivery] {
        try await settle(store, channel: channel, now: now, status: 410, outcome: .failed(reason: "HTTP 410"), as: .failed)
    }

    private static func settle(
        _ store: any Store, channel: String, now: Int64, status: Int, outcome: DeliveryOutcome, as state: DeliveryState
    ) async throws -> [ClaimedDelivery] {
        let claimed = try await store.claim(channel: channel, limit: 100, now: now, leaseUntil: now + 60_000, owner: "w")
        try await store.record(claimed.map { c in
            DeliveryResult(
                report: AttemptReport(deliveryID: c.delivery.id, messageID: c.message.id, channel: channel, number: 1,
                                      startedAt: now, durationMillis: 1, statusCode: status, outcome: outcome),
                newState: state, nextDueAt: nil, error: state == .failed ? "HTTP 410" : nil, providerID: nil)
        })
        return claimed
    }

    static func created(_ result: EnqueueResult?) -> (Message, [Delivery])? {
        if case .created(let m, let d)? = result { return (m, d) }
        return nil
    }
}
