/// The allowance of one limited destination (a robot, a phone number): at most `limit` sends in
/// any `window`, counted from when each send *finished* (a provider counts a request when it
/// arrives, which is before it finishes).
///
/// It is a token bucket whose tokens come back one window after the send that spent them, so a
/// burst of `limit` is allowed and a sliding window of the provider's length never sees more. A
/// delivery that finds no token is told when to come back, and when many wait they are spread
/// over the coming windows, first come first served.
struct RateBucket: Sendable {
    /// Extra milliseconds added to each token's return: clock granularity between two hosts.
    static let margin: Int64 = 5

    /// When each recently spent token comes back (epoch ms), ascending; at most `limit`.
    private var returns: [Int64] = []
    private var inFlight = 0
    /// Postponements handed out (delivery id → time).
    private var promised: [String: Int64] = [:]

    /// Forgets the place in line `delivery` was promised, returning it.
    mutating func takePlace(of delivery: String) -> Int64? {
        promised.removeValue(forKey: delivery)
    }

    /// Takes a token (nil) or says when to come back.
    /// - Parameter place: the time this delivery was promised before (``takePlace(of:)``), which
    ///   keeps it ahead of those promised later.
    mutating func take(delivery: String, place: Int64?, now: Int64, limit: Int, window: Int64) -> Int64? {
        settle(now: now)
        if returns.count + inFlight < limit {
            inFlight += 1
            return nil
        }
        // Full: the k-th in line gets the k-th token to come back, a window later per round.
        forgetStale(now: now, window: window)
        let spent = (returns + Array(repeating: now + window + Self.margin, count: inFlight)).sorted()
        let k = place.map { mine in promised.values.count { $0 <= mine } } ?? promised.count
        let slot = max(spent[k % spent.count] + Int64(k / spent.count) * window, now + 1)
        promised[delivery] = slot
        return slot
    }

    /// The send that took a token is over: the token comes back one window after `finishedAt`.
    mutating func finished(at finishedAt: Int64, limit: Int, window: Int64) {
        inFlight = max(0, inFlight - 1)
        spend(at: finishedAt, limit: limit, window: window)
    }

    /// A token taken by ``take(delivery:place:now:limit:window:)`` was not spent after all.
    mutating func withdraw() {
        inFlight = max(0, inFlight - 1)
    }

    /// Counts a send that finished at `finishedAt` (one made before a restart).
    mutating func spend(at finishedAt: Int64, limit: Int, window: Int64) {
        returns.append(finishedAt + window + Self.margin)
        returns.sort()
        if returns.count > limit { returns.removeFirst(returns.count - limit) }
    }

    private mutating func settle(now: Int64) {
        if let i = returns.firstIndex(where: { $0 > now }) { returns.removeFirst(i) } else { returns.removeAll() }
    }

    /// Forgets promises long past (their deliveries were cancelled, expired or taken elsewhere).
    private mutating func forgetStale(now: Int64, window: Int64) {
        if promised.count > 64 { promised = promised.filter { $0.value > now - 2 * window } }
    }
}
