import HeraldCore
import HeraldStore
import PostgresNIO

// MARK: - Wake-ups and rate limits shared by every instance.

extension PostgresStore {
    /// The LISTEN/NOTIFY channel new work is announced on (in the transaction that commits it).
    static let workChannel = "herald_work"

    public func watchForWork(_ wake: @escaping @Sendable () -> Void) async throws {
        // A connection of its own, kept while listening; a lost one is replaced after a pause, and
        // a wake-up is given then (whatever was announced meanwhile was missed).
        while !Task.isCancelled {
            do {
                try await pool.client.withConnection { conn in
                    try await conn.listen(on: Self.workChannel) { notifications in
                        wake()
                        for try await _ in notifications { wake() }
                    }
                }
            } catch is CancellationError {
                return
            } catch {
                if Task.isCancelled { return }
                logger.warning("listening for new work failed; polling meanwhile", metadata: ["error": "\(String(reflecting: error))"])
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }
}

extension PostgresStore {
    public var sharesRateLimits: Bool { true }

    /// Counted with a scan of `deliveries`: a tally row per state would be a lock every instance
    /// takes on every state change.
    public var keepsDeliveryCounts: Bool { false }

    public func reserveSlot(key: String, limit: Int, now: Int64, holdUntil: Int64) async throws -> SlotReservation {
        try await write { conn in
            // One reservation per key at a time, across instances (released at commit).
            try await conn.run("SELECT pg_advisory_xact_lock(hashtextextended(\(key), 0))", logger: self.logger)
            try await conn.run("DELETE FROM rate_slots WHERE key = \(key) AND until <= \(now)", logger: self.logger)
            let row = try await conn.row(
                "SELECT COUNT(*) AS taken, MIN(until) AS first_free FROM rate_slots WHERE key = \(key)", logger: self.logger)
            let taken: Int = try row?["taken"] ?? 0
            if taken >= limit, let freeAt: Int64 = try row?["first_free"] { return .full(freeAt: freeAt) }
            let id = HeraldID.make(.slot)
            try await conn.run(
                "INSERT INTO rate_slots (id, key, until) VALUES (\(id), \(key), \(holdUntil))", logger: self.logger)
            return .granted(id)
        }
    }

    public func finishSlot(id: String, holdUntil: Int64) async throws {
        try await write { conn in
            try await conn.run("UPDATE rate_slots SET until = \(holdUntil) WHERE id = \(id)", logger: self.logger)
        }
    }
}
