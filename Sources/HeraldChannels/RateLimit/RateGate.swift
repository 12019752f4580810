import HeraldCore
import Synchronization

/// At most `limit` sends per destination key in any `window` (a ``RateBucket`` per key), shared by
/// every worker of one channel. A delivery that finds no token is postponed, not attempted, and
/// keeps its place in line when it comes back.
final class RateGate: Sendable {
    let limit: Int
    let window: Int64
    private let buckets = Mutex<[String: RateBucket]>([:])

    init(limit: Int, window: Int64) {
        self.limit = limit
        self.window = window
    }

    /// Takes a token for `key` (nil) or says when to come back (epoch ms).
    func admit(_ key: String, delivery: String, now: Int64) -> Int64? {
        buckets.withLock { buckets in
            var bucket = buckets[key] ?? RateBucket()
            defer { buckets[key] = bucket }
            let place = bucket.takePlace(of: delivery)
            return bucket.take(delivery: delivery, place: place, now: now, limit: limit, window: window)
        }
    }

    /// The send that took a token is over.
    func finished(_ key: String, at finishedAt: Int64) {
        buckets.withLock { buckets in
            buckets[key, default: RateBucket()].finished(at: finishedAt, limit: limit, window: window)
        }
    }

    /// A token was taken but nothing was sent.
    func withdraw(_ key: String) {
        buckets.withLock { buckets in buckets[key]?.withdraw() }
    }

    /// Counts sends made before a restart, each under its key.
    func restore(_ sends: [(key: String, finishedAt: Int64)], now: Int64) {
        buckets.withLock { buckets in
            for send in sends where send.finishedAt + window + RateBucket.margin > now {
                buckets[send.key, default: RateBucket()].spend(at: send.finishedAt, limit: limit, window: window)
            }
        }
    }
}
