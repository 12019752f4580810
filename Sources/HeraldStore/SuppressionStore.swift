import HeraldCore

/// The suppression list as operators manage it (the stores also read and add to it on their own:
/// at enqueue, at claim, on hard bounces, unsubscribes and wrong numbers).
public protocol SuppressionStore: Sendable {
    /// Entries matching `query`, in (address, category) order after its cursor, at most its limit.
    func suppressions(matching query: SuppressionQuery) async throws -> [Suppression]

    /// Adds each entry unless its address already has an entry of its category, in one
    /// transaction; returns, in order, the entry now stored (the older one, unchanged, when there
    /// was one) and whether it is new.
    func suppress(_ entries: [Suppression]) async throws -> [(entry: Suppression, created: Bool)]

    /// Removes the entries of `address` (of one category, or all of them) and returns them.
    func unsuppress(address: String, category: String?) async throws -> [Suppression]
}

extension SuppressionStore {
    /// The entry that would stop each of these destinations of a message of `category` (by
    /// index), as the stores decide at enqueue: for previews (`?dry_run=true`, `herald route`),
    /// which must not say `queued` for what will end `suppressed`, and which say whether the
    /// fallback would take over.
    public func listedHits(
        _ destinations: [(channel: String, address: String)], category: MessageRequest.Category
    ) async throws -> [Int: SuppressionHit] {
        var query = SuppressionQuery(limit: 1_000)
        query.addresses = Array(Set(destinations.map(\.address).filter(Suppressions.canBeSuppressed).map(Suppression.key)))
        guard !query.addresses.isEmpty else { return [:] }
        let entries = try await suppressions(matching: query)
        var hits: [Int: SuppressionHit] = [:]
        for (index, destination) in destinations.enumerated() {
            let key = Suppression.key(destination.address)
            let own = entries.lazy.filter { $0.address == key }.map { (category: $0.category, source: $0.source, reason: $0.reason) }
            if let hit = SuppressionHit.applying(own, category: category, channel: destination.channel) { hits[index] = hit }
        }
        return hits
    }

    /// Adds one entry (see the batch form).
    public func suppress(_ entry: Suppression) async throws -> (entry: Suppression, created: Bool) {
        guard let stored = try await suppress([entry]).first else {
            throw HeraldError.internal("the suppression of \(entry.address) was not stored")
        }
        return stored
    }
}
