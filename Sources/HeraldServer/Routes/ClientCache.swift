import HeraldCore
import HeraldStore
import Synchronization

/// Recently read clients, so routing a message does not cost a registry read per request.
/// Entries live `ttl` milliseconds; a `PUT /v1/clients/{id}` on this instance drops its entry at
/// once, and changes made elsewhere (another instance, `herald clients import`) show within `ttl`.
/// An id with no client is remembered too (messages with explicit destinations may name clients
/// the registry does not hold, and look them up only for their tier).
final class ClientCache: Sendable {
    private struct Entry {
        let client: Client?
        let expires: Int64
    }

    private let entries = Mutex<[String: Entry]>([:])
    let ttl: Int64
    let capacity: Int

    init(ttl: Int64 = 1_000, capacity: Int = 10_000) {
        self.ttl = ttl
        self.capacity = capacity
    }

    /// The client, from the cache or the store.
    func client(id: String, store: any Store, now: Int64) async throws -> Client? {
        let cached = entries.withLock { entries -> Entry? in
            guard let entry = entries[id], entry.expires > now else { return nil }
            return entry
        }
        if let cached { return cached.client }
        let client = try await store.client(id: id)
        entries.withLock { entries in
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[id] = Entry(client: client, expires: now + ttl)
        }
        return client
    }

    func invalidate(_ id: String) {
        _ = entries.withLock { $0.removeValue(forKey: id) }
    }
}
