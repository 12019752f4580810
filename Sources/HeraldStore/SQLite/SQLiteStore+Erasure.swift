import GRDB
import HeraldCore

// MARK: - Erasing a person (see Erasure).

extension SQLiteStore {
    public func erase(_ request: Erasure.Request) async throws -> Erasure.Result {
        let work = { (db: Database) throws -> Erasure.Result in try Self.erase(request, db: db) }
        return request.dryRun ? try await pool.read(work) : try await pool.write(work)
    }

    /// One transaction: what to erase is read under the writer's lock, so a delivery enqueued to
    /// the address meanwhile is either erased or enqueued after it.
    private static func erase(_ request: Erasure.Request, db: Database) throws -> Erasure.Result {
        let addresses = request.addresses
        let list = SQLiteRows.placeholders(addresses.count)
        let args = StatementArguments(addresses)
        var result = Erasure.Result()
        // A scan of the deliveries (no index on destinations): about a second per million rows.
        let sent = try Row.fetchAll(
            db, sql: "SELECT id, message_id FROM deliveries WHERE lower(destination) IN (\(list))", arguments: args)
        let deliveryIDs = sent.map { $0["id"] as String }
        let messageIDs = Array(Set(sent.map { $0["message_id"] as String })).sorted()
        result.deliveries = deliveryIDs.count
        result.messages = messageIDs.count
        // The client of each contact holding an address: how many contacts, and whose.
        let holders = try String.fetchAll(
            db, sql: "SELECT client_id FROM contacts WHERE lower(email) IN (\(list)) OR phone IN (\(list))", arguments: args + args)
        result.contacts = holders.count
        result.clientIDs = Set(holders).sorted()
        result.tasks = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM tasks WHERE phone IN (\(list))", arguments: args) ?? 0
        result.escalations = try Int.fetchOne(
            db, sql: "SELECT COUNT(*) FROM escalations WHERE lower(destination) IN (\(list))", arguments: args) ?? 0
        for chunk in deliveryIDs.chunked(500) {
            result.notices += try Int.fetchOne(
                db, sql: "SELECT COUNT(*) FROM notices WHERE delivery_id IN (\(SQLiteRows.placeholders(chunk.count)))", arguments: StatementArguments(chunk)) ?? 0
        }
        result.stillSuppressed = try String.fetchAll(
            db, sql: "SELECT DISTINCT address FROM suppressions WHERE address IN (\(list)) ORDER BY address", arguments: args)
        if request.dryRun { return result }

        // What has not happened yet of those messages stops first: their content is about to go.
        for id in messageIDs {
            do {
                _ = try SQLiteCancel.cancel(messageID: id, actor: request.actor, reason: Erasure.cancelReason, now: request.now, db: db)
            } catch let error as HeraldError where error.kind == .conflict {
                continue  // nothing was left to send
            }
        }
        let variants = Erasure.variants(addresses)
        // Redacts a text column of the rows `select` names (id, text), in Swift: any case of any variant.
        func redact(_ table: String, _ column: String, key: String, where condition: String, _ arguments: StatementArguments) throws {
            let rows = try Row.fetchAll(db, sql: "SELECT \(key), \(column) FROM \(table) WHERE \(condition)", arguments: arguments)
            let update = try db.cachedStatement(sql: "UPDATE \(table) SET \(column) = ? WHERE \(key) = ?")
            for row in rows {
                guard let text = row[column] as String?, let clean = Erasure.redact(text, variants) else { continue }
                try update.execute(arguments: [clean, row[key] as String])
            }
        }
        for chunk in deliveryIDs.chunked(500) {
            let ids = StatementArguments(chunk)
            try db.execute(
                sql: "UPDATE deliveries SET destination = ? WHERE id IN (\(SQLiteRows.placeholders(chunk.count)))", arguments: [Erasure.marker] + ids)
            try redact("attempts", "error", key: "id", where: "delivery_id IN (\(SQLiteRows.placeholders(chunk.count))) AND error IS NOT NULL", ids)
            try redact("notices", "payload", key: "id", where: "delivery_id IN (\(SQLiteRows.placeholders(chunk.count)))", ids)
            try redact("notices", "last_error", key: "id", where: "delivery_id IN (\(SQLiteRows.placeholders(chunk.count))) AND last_error IS NOT NULL", ids)
        }
        for chunk in messageIDs.chunked(500) {
            let ids = StatementArguments(chunk)
            try db.execute(
                sql: "UPDATE messages SET subject = NULL, text = NULL, html = NULL, data = '{}' WHERE id IN (\(SQLiteRows.placeholders(chunk.count)))",
                arguments: ids)
            // Other deliveries of the messages: errors and fallback steps that name the person.
            try redact("deliveries", "last_error", key: "id", where: "message_id IN (\(SQLiteRows.placeholders(chunk.count))) AND last_error IS NOT NULL", ids)
            try redact("deliveries", "fallback", key: "id", where: "message_id IN (\(SQLiteRows.placeholders(chunk.count))) AND fallback IS NOT NULL", ids)
            try redact("events", "detail", key: "id", where: "message_id IN (\(SQLiteRows.placeholders(chunk.count))) AND detail IS NOT NULL", ids)
        }
        try db.execute(
            sql: "DELETE FROM contacts WHERE lower(email) IN (\(list)) OR phone IN (\(list))", arguments: args + args)
        try db.execute(
            sql: """
                UPDATE tasks SET phone = ?, contact_name = ?, talking_points = '',
                    note = CASE WHEN note IS NULL THEN NULL ELSE ? END WHERE phone IN (\(list))
                """,
            arguments: [Erasure.marker, Erasure.marker, Erasure.marker] + args)
        try db.execute(
            sql: "UPDATE escalations SET destination = ? WHERE lower(destination) IN (\(list))", arguments: [Erasure.marker] + args)
        // The audit log's earlier entries about them (a suppression added, say; the list keeps its own).
        for row in try Row.fetchAll(db, sql: "SELECT id, subject, detail FROM audit_log") {
            let subject = Erasure.redact(row["subject"], variants)
            let detail = Erasure.redact(row["detail"], variants)
            guard subject != nil || detail != nil else { continue }
            try db.execute(
                sql: "UPDATE audit_log SET subject = ?, detail = ? WHERE id = ?",
                arguments: [subject ?? row["subject"], detail ?? row["detail"], row["id"] as String])
        }
        return result
    }

}

extension Array {
    /// Consecutive slices of at most `size` elements (SQLite takes at most 999 arguments a statement).
    fileprivate func chunked(_ size: Int) -> [ArraySlice<Element>] {
        stride(from: 0, to: count, by: size).map { self[$0..<Swift.min($0 + size, count)] }
    }
}
