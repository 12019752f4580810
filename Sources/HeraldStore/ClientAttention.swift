import HeraldCore

/// Clients in the order a CSM should look at them (``ClientActivity/needsAttentionBefore(_:_:)``),
/// for every list that offers it: the dashboard's "My clients", `GET /v1/clients?order=attention`
/// and `herald clients list --attention`.
public enum ClientAttention {
    /// Up to this many matching clients are ordered (one CSM's portfolio, a tier, a stage); a longer
    /// list would read every client's activity for each page. The bound of
    /// ``Store/clientActivity(clientIDs:openableChannels:)``.
    public static let limit = 1_000

    /// The matching clients' activity, most in need of attention first (clients without messages
    /// included), or nil when more than ``limit`` clients match.
    public static func ordered(
        _ store: any Store, matching filter: ClientFilter, openableChannels: [String]
    ) async throws -> [ClientActivity]? {
        let ids = try await store.clientIDs(matching: filter, limit: limit + 1)
        if ids.count > limit { return nil }
        let activity = try await store.clientActivity(clientIDs: ids, openableChannels: openableChannels)
        return ids.map { activity[$0] ?? ClientActivity(clientID: $0) }.sorted(by: ClientActivity.needsAttentionBefore)
    }

    /// The clients of `page` with their activity, in its order; one deleted since the list was read
    /// is left out.
    public static func clients(
        _ store: any Store, _ page: some Collection<ClientActivity>
    ) async throws -> [(client: Client, activity: ClientActivity)] {
        var clients = try await store.clients(ids: page.map(\.clientID))[...]
        var shown: [(client: Client, activity: ClientActivity)] = []
        for seen in page where clients.first?.id == seen.clientID {
            shown.append((clients.removeFirst(), seen))
        }
        return shown
    }
}
