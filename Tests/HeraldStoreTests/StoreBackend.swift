import Foundation
import HeraldCore
import HeraldStore

/// The backends the store suite runs against. PostgreSQL joins this list with the scale-out work.
enum StoreBackend: String, CaseIterable, CustomTestStringConvertible {
    case sqlite

    var testDescription: String { rawValue }

    /// A fresh, migrated store in a temporary place; `cleanup` removes it.
    func make() async throws -> (store: any Store, cleanup: @Sendable () -> Void) {
        switch self {
        case .sqlite:
            let dir = NSTemporaryDirectory() + "herald-store-\(UUID().uuidString)"
            let store = try SQLiteStore(path: dir + "/herald.db")
            try await store.migrate()
            return (store, { try? FileManager.default.removeItem(atPath: dir) })
        }
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

    static func created(_ result: EnqueueResult?) -> (Message, [Delivery])? {
        if case .created(let m, let d)? = result { return (m, d) }
        return nil
    }
}
