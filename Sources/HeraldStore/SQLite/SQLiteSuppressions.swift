import GRDB
import HeraldCore

/// The suppression list: addresses Herald will not send to (hard bounces for every category,
/// unsubscribes for marketing, SMS opt-outs for one channel).
enum SQLiteSuppressions {
    /// The entry that stops `address` from getting a message of `category` on `channel`, or nil
    /// (``SuppressionHit/applying(_:category:channel:)`` chooses when several apply).
    static func hit(address: String, category: MessageRequest.Category, channel: String, db: Database) throws -> SuppressionHit? {
        guard Suppressions.canBeSuppressed(address) else { return nil }
        let statement = try db.cachedStatement(sql: """
            SELECT category, source, reason FROM suppressions WHERE address = ? AND category IN ('all', ?, ?)
            """)
        let rows = try Row.fetchAll(
            statement, arguments: [address.lowercased(), category.rawValue, Suppressions.channelCategory(channel)])
        if rows.isEmpty { return nil }
        return SuppressionHit.applying(
            rows.map { (category: $0["category"], source: $0["source"], reason: $0["reason"]) }, category: category, channel: channel)
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

    /// Suppresses the destination of a delivery for `category`: after the recipient told the
    /// provider to stop (`opt_out`: `channel:NAME` for an SMS STOP reply, so other channels to the
    /// same number still go; `marketing` for a refusal of promotional texts, Aliyun
    /// `isv.CUSTOMER_REFUSED`), or after a receipt said the number cannot receive texts (`bounce`,
    /// `channel:NAME`).
    static func addForDelivery(
        deliveryID: String, category: String, source: Suppression.Source = .optOut, reason: String, at: Int64, db: Database
    ) throws {
        guard let address = try String.fetchOne(
            db.cachedStatement(sql: "SELECT destination FROM deliveries WHERE id = ?"), arguments: [deliveryID])
        else { return }
        try db.cachedStatement(sql: """
            INSERT INTO suppressions (address, category, reason, source, delivery_id, created_at)
            VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT (address, category) DO UPDATE SET reason = excluded.reason, delivery_id = excluded.delivery_id
            """).execute(arguments: [address.lowercased(), category, reason, source.rawValue, deliveryID, at])
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
