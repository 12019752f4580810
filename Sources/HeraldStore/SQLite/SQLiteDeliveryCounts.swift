import GRDB
import HeraldCore

/// The `delivery_counts` rows for deliveries a transaction inserts. Inserts are counted by the
/// code that inserts them, one UPDATE per state at the end; state changes and deletes are counted
/// by triggers (migrations v15, v16). An insert trigger ran a trigger program for every row:
/// ~15–20 % of a batch enqueue's CPU (migration v18 dropped it).
struct SQLiteDeliveryCounts {
    /// Inserted deliveries per state (raw values: an imported row's state is taken as it is).
    private var added: [String: Int64] = [:]

    mutating func inserted(_ state: String) {
        added[state, default: 0] += 1
    }

    mutating func inserted(_ state: DeliveryState) {
        inserted(state.rawValue)
    }

    /// Adds what was counted to `delivery_counts`; call once, before the transaction commits.
    func apply(_ db: Database) throws {
        guard !added.isEmpty else { return }
        let statement = try db.cachedStatement(sql: "UPDATE delivery_counts SET n = n + ? WHERE state = ?")
        for (state, n) in added { try statement.execute(arguments: [n, state]) }
    }

    /// Counts one inserted delivery at once (the rare single-row inserts: fallback, escalation).
    static func inserted(_ state: DeliveryState, db: Database) throws {
        var counts = SQLiteDeliveryCounts()
        counts.inserted(state)
        try counts.apply(db)
    }
}
