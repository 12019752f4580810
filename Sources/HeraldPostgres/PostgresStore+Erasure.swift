import HeraldCore
import HeraldStore
import PostgresNIO

// MARK: - Erasing a person (see Erasure and SQLite's version).

extension PostgresStore {
    public func erase(_ request: Erasure.Request) async throws -> Erasure.Result {
        let work = { (conn: PostgresConnection) async throws -> Erasure.Result in try await self.erase(request, conn: conn) }
        return request.dryRun ? try await read(work) : try await write(work)
    }

    private func erase(_ request: Erasure.Request, conn: PostgresConnection) async throws -> Erasure.Result {
        let addresses = request.addresses
        var result = Erasure.Result()
        // FOR UPDATE (when erasing): a claim or a receipt of these deliveries waits until it is done.
        let lock = request.dryRun ? "" : " FOR UPDATE"
        let sent = try await conn.rows(
            PostgresQuery(
                unsafeSQL: "SELECT id, message_id FROM deliveries WHERE lower(destination) = ANY($1)\(lock)",
                binds: PostgresQueries.binds(addresses)),
            logger: logger)
        let deliveryIDs = try sent.map { try $0["id"] as String }
        let messageIDs = Array(Set(try sent.map { try $0["message_id"] as String })).sorted()
        result.deliveries = deliveryIDs.count
        result.messages = messageIDs.count
        // The client of each contact holding an address: how many contacts, and whose.
        let holders = try await conn.rows(
            "SELECT client_id FROM contacts WHERE lower(email) = ANY(\(addresses)) OR phone = ANY(\(addresses))", logger: logger
        ).map { try $0["client_id"] as String }
        result.contacts = holders.count
        result.clientIDs = Set(holders).sorted()
        result.tasks = try await count("SELECT COUNT(*) AS n FROM tasks WHERE phone = ANY(\(addresses))", conn)
        result.escalations = try await count(
            "SELECT COUNT(*) AS n FROM escalations WHERE lower(destination) = ANY(\(addresses))", conn)
        result.notices = try await count("SELECT COUNT(*) AS n FROM notices WHERE delivery_id = ANY(\(deliveryIDs))", conn)
        result.stillSuppressed = try await conn.rows(
            "SELECT DISTINCT address FROM suppressions WHERE address = ANY(\(addresses)) ORDER BY address", logger: logger
        ).map { try $0["address"] as String }
        if request.dryRun { return result }

        for id in messageIDs {
            do {
                _ = try await PostgresCancel.cancel(
                    messageID: id, actor: request.actor, reason: Erasure.cancelReason, now: request.now, conn: conn, logger: logger)
            } catch let error as HeraldError where error.kind == .conflict {
                continue  // nothing was left to send
            }
        }
        let variants = Erasure.variants(addresses)
        // Redacts a text column of the rows whose `keyColumn` is among `keys`, in Swift: any case of any variant.
        func redact(_ table: String, _ column: String, keyColumn: String, in keys: [String]) async throws {
            guard !keys.isEmpty else { return }
            var select = PGStatement("SELECT id, \(column) AS value FROM \(table) WHERE \(keyColumn) = ANY(")
            select.append(select.bind(keys) + ") AND \(column) IS NOT NULL")
            for row in try await conn.rows(select.query, logger: logger) {
                guard let text = try row["value"] as String?, let clean = Erasure.redact(text, variants) else { continue }
                var update = PGStatement("UPDATE \(table) SET \(column) = ")
                update.append(update.bind(clean) + " WHERE id = " + update.bind(try row["id"] as String))
                try await conn.run(update.query, logger: logger)
            }
        }
        try await conn.run("UPDATE deliveries SET destination = \(Erasure.marker) WHERE id = ANY(\(deliveryIDs))", logger: logger)
        try await redact("attempts", "error", keyColumn: "delivery_id", in: deliveryIDs)
        try await redact("notices", "payload", keyColumn: "delivery_id", in: deliveryIDs)
        try await redact("notices", "last_error", keyColumn: "delivery_id", in: deliveryIDs)
        try await conn.run(
            "UPDATE messages SET subject = NULL, text = NULL, html = NULL, data = '{}' WHERE id = ANY(\(messageIDs))", logger: logger)
        try await redact("deliveries", "last_error", keyColumn: "message_id", in: messageIDs)
        try await redact("deliveries", "fallback", keyColumn: "message_id", in: messageIDs)
        try await redact("events", "detail", keyColumn: "message_id", in: messageIDs)
        try await conn.run(
            "DELETE FROM contacts WHERE lower(email) = ANY(\(addresses)) OR phone = ANY(\(addresses))", logger: logger)
        try await conn.run(
            """
            UPDATE tasks SET phone = \(Erasure.marker), contact_name = \(Erasure.marker), talking_points = '',
                note = CASE WHEN note IS NULL THEN NULL ELSE \(Erasure.marker) END WHERE phone = ANY(\(addresses))
            """, logger: logger)
        try await conn.run(
            "UPDATE escalations SET destination = \(Erasure.marker) WHERE lower(destination) = ANY(\(addresses))", logger: logger)
        // The audit log's earlier entries about them (a suppression added, say; the list keeps its own).
        for row in try await conn.rows("SELECT id, subject, detail FROM audit_log", logger: logger) {
            let (subject, detail): (String, String) = (try row["subject"], try row["detail"])
            let newSubject = Erasure.redact(subject, variants)
            let newDetail = Erasure.redact(detail, variants)
            guard newSubject != nil || newDetail != nil else { continue }
            try await conn.run(
                "UPDATE audit_log SET subject = \(newSubject ?? subject), detail = \(newDetail ?? detail) WHERE id = \(try row["id"] as String)",
                logger: logger)
        }
        return result
    }

    private func count(_ query: PostgresQuery, _ conn: PostgresConnection) async throws -> Int {
        Int(try await conn.row(query, logger: logger).map { try $0["n"] as Int64 } ?? 0)
    }
}
