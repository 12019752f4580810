import Synchronization

/// Per-token request rate limits: a token bucket per API token holding up to one second's worth of
/// requests and refilling continuously at the token's rate. In memory: a restart forgives, which is
/// what a limit meant to protect the daemon from one runaway caller needs.
final class TokenRateLimiter: Sendable {
    private struct Bucket {
        var tokens: Double
        var updatedAt: Int64
    }

    private let buckets = Mutex<[String: Bucket]>([:])

    /// Takes one request from `tokenID`'s bucket; false when it is empty.
    func allow(tokenID: String, perSecond rate: Int, now: Int64) -> Bool {
        let capacity = Double(rate)
        return buckets.withLock { buckets in
            var bucket = buckets[tokenID] ?? Bucket(tokens: capacity, updatedAt: now)
            let elapsed = Double(max(0, now - bucket.updatedAt)) / 1_000
            bucket.tokens = min(capacity, bucket.tokens + elapsed * capacity)
            bucket.updatedAt = now
            let allowed = bucket.tokens >= 1
            if allowed { bucket.tokens -= 1 }
            buckets[tokenID] = bucket
            return allowed
        }
    }
}
