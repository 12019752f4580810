import HeraldCore
import HeraldStore
import Logging
import PostgresNIO

/// The suppression list (see `SQLiteSuppressions`): hard bounces and wrong numbers for every
/// category, unsubscribes for marketing, SMS opt-outs for one channel.
enum PostgresSuppressions {
    /// The entry that stops `address` from getting a message of `category` on `channel`, or nil
    /// (``SuppressionHit/applying(_:category:channel:)`` chooses when several apply).
    static func hit(
        address: String, category: MessageRequest.Category, channel: String, conn: PostgresConnection, logger: Logger
    ) async throws -> SuppressionHit? {
        guard Suppressions.canBeSuppressed(address) else { return nil }
        return try await find([address.lowercased()], conn: conn, logger: logger).hit(address: address, category: category, channel: channel)
    }

    /// Suppression entries of many addresses at once (enqueue of a batch, a claim).
    struct Found {
        /// lower-cased address → its entries
        var entries: [String: [(category: String, source: String, reason: String)]] = [:]

        func hit(address: String, category: MessageRequest.Category, channel: String) -> SuppressionHit? {
            guard Suppressions.canBeSuppressed(address), let listed = entries[address.lowercased()] else { return nil }
            return SuppressionHit.applying(listed, category: category, channel: channel)
        }
    }

    static func find(_ addresses: [String], conn: PostgresConnection, logger: Logger) async throws -> Found {
        var found = Found()
        guard !addresses.isEmpty else { return found }
        for row in try await conn.rows(
            "SELECT address, category, source, reason FROM suppressions WHERE address = ANY(\(addresses))", logger: logger)
        {
            found.entries[try row["address"], default: []].append(
                (category: try row["category"], source: try row["source"], reason: try row["reason"]))
        }
        return found
    }

    static func addForBounce(deliveryID: String, reason: String, at: Int64, conn: PostgresConnection, logger: Logger) async throws {
        guard let row = try await conn.row("SELECT destination FROM deliveries WHERE id = \(deliveryID)", logger: logger) else {
            return
        }
        let address: String = try row["destination"]
        try await conn.run(
            """
            INSERT INTO suppressions (address, category, reason, source, delivery_id, created_at)
            VALUES (\(address.lowercased()), 'all', \(reason), 'bounce', \(deliveryID), \(at))
            ON CONFLICT (address, category) DO UPDATE SET reason = excluded.reason, delivery_id = excluded.delivery_id
            """, logger: logger)
    }

    /// See `SQLiteSuppressions.addForDelivery`.
    static func addForDelivery(
        deliveryID: String, category: String, source: Suppression.Source = .optOut, reason: String, at: Int64,
        conn: PostgresConnection, logger: Logger
    ) async throws {
        try await conn.run(
            """
            INSERT INTO suppressions (address, category, reason, source, delivery_id, created_at)
            SELECT lower(destination), \(category), \(reason), \(source.rawValue), id, \(at)
            FROM deliveries WHERE id = \(deliveryID)
            ON CONFLICT (address, category) DO UPDATE SET reason = excluded.reason, delivery_id = excluded.delivery_id
            """, logger: logger)
    }

    static func addWrongNumber(
        _ phone: String, reason: String, deliveryID: String, at: Int64, conn: PostgresConnection, logger: Logger
    ) async throws {
        try await conn.run(
            """
            INSERT INTO suppressions (address, category, reason, source, delivery_id, created_at)
            VALUES (\(phone), 'all', \(reason), 'wrong_number', \(deliveryID), \(at))
            ON CONFLICT (address, category) DO UPDATE SET reason = excluded.reason, source = excluded.source,
                delivery_id = excluded.delivery_id
            """, logger: logger)
    }
}
