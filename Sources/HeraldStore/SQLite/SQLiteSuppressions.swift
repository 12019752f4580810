import GRDB
import HeraldCore

/// The suppression list: addresses Herald will not send to (hard bounces for every category,
/// unsubscribes for marketing, SMS opt-outs for one channel).
enum SQLiteSuppressions {
    /// Why `address` must not get a message of `category` on `channel`, or nil.
    static func reason(address: String, category: MessageRequest.Category, channel: String, db: Database) throws -> String? {
        guard Suppressions.canBeSuppressed(address) else { return nil }
        let statement = try db.cachedStatement(sql: """
            SELECT source, reason FROM suppressions WHERE address = ? AND category IN ('all', ?, ?) LIMIT 1
            """)
        guard let row = try Row.fetchOne(
            statement, arguments: [address.lowercased(), category.rawValue, Suppressions.channelCategory(channel)])
        else { return nil }
        return "\(row["source"] as String): \(row["reason"] as String)"
    }

    /// Suppresses the destination of a delivery after a hard bounce.
    static func addForBounce(deliveryID: String, reason: String, at: Int64, db: Database) throws {
        guard let address = try String.fetchOne(
            db.cachedStatement(sql: "SELECT destination FROM deliveries WHERE id = ?"), arguments: [deliveryID])
        else { return }
        try db.cachedStatement(sql: """
            INSERT INTO suppressions (address, category, reason, source, delivery_id, created_at)
            VALUES (?, 'all', ?, 'bounce', ?, ?)
            ON CONFLICT (address, category) DO UPDATE SET reason = excluded.reason, delivery_id = excluded.delivery_id
            """).execute(arguments: [address.lowercased(), reason, deliveryID, at])
    }

    /// Suppresses the destination of a delivery on its channel only, after the recipient told the
    /// provider to stop (an SMS STOP reply): other channels to the same number still go.
    static func addOptOut(deliveryID: String, channel: String, reason: String, at: Int64, db: Database) throws {
        guard let address = try String.fetchOne(
            db.cachedStatement(sql: "SELECT destination FROM deliveries WHERE id = ?"), arguments: [deliveryID])
        else { return }
        try db.cachedStatement(sql: """
            INSERT INTO suppressions (address, category, reason, source, delivery_id, created_at)
            VALUES (?, ?, ?, 'opt_out', ?, ?)
            ON CONFLICT (address, category) DO UPDATE SET reason = excluded.reason, delivery_id = excluded.delivery_id
            """).execute(arguments: [address.lowercased(), Suppressions.channelCategory(channel), reason, deliveryID, at])
    }

    /// Suppresses a phone number for every category (a CSM found it is not the contact's).
    static func addWrongNumber(_ phone: String, reason: String, deliveryID: String, at: Int64, db: Database) throws {
        try db.cachedStatement(sql: """
            INSERT INTO suppressions (address, category, reason, source, delivery_id, created_at)
            VALUES (?, 'all', ?, 'wrong_number', ?, ?)
            ON CONFLICT (address, category) DO UPDATE SET reason = excluded.reason, source = excluded.source,
                delivery_id = excluded.delivery_id
            """).execute(arguments: [phone, reason, deliveryID, at])
    }
}
