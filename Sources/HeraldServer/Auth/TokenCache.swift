import HeraldCore
import Synchronization

/// Remembers tokens that were found valid for a short time, so authenticating does not cost a
/// database read per request. Only hits are cached (a flood of random tokens cannot grow it past
/// `capacity`), and entries live `ttl` milliseconds: a revocation takes effect within that time.
final class TokenCache: Sendable {
    private struct Entry {
        let token: APIToken
        let expires: Int64
    }

    private let entries = Mutex<[String: Entry]>([:])
    let ttl: Int64
    let capacity: Int

    init(ttl: Int64 = 1_000, capacity: Int = 1_024) {
        self.ttl = ttl
        self.capacity = capacity
    }

    func get(_ hash: String, now: Int64) -> APIToken? {
        entries.withLock { entries in
            guard let entry = entries[hash] else { return nil }
            if entry.expires <= now {
                entries[hash] = nil
                return nil
            }
            return entry.token
        }
    }

    func put(_ hash: String, _ token: APIToken, now: Int64) {
        entries.withLock { entries in
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[hash] = Entry(token: token, expires: now + ttl)
        }
    }
}
