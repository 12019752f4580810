/// Decides when a failed attempt is tried again, or that it never will be.
/// Strategies are values (swift-jobs style): `.exponentialJitter(...)`, `.dontRetry`.
public protocol RetryPolicy: Sendable {
    /// What to do after attempt number `attempt` (1-based) failed with a retryable error.
    /// - Parameters:
    ///   - attempt: the number of the attempt that just failed.
    ///   - retryAfter: the provider's wish (`Retry-After`), in milliseconds, if it said one.
    ///   - firstQueuedAt: when the delivery was created, epoch ms (for the maximum age).
    ///   - now: epoch ms.
    func decide(attempt: Int, retryAfter: Int64?, firstQueuedAt: Int64, now: Int64) -> RetryDecision
    /// Why a delivery may not wait (unattempted) until `until`, or nil when it may.
    func refusesWait(until: Int64, firstQueuedAt: Int64) -> String?
}

extension RetryPolicy {
    public func refusesWait(until: Int64, firstQueuedAt: Int64) -> String? { nil }
}

/// The outcome of a ``RetryPolicy``.
public enum RetryDecision: Sendable, Equatable {
    /// Try again at this epoch-millisecond time.
    case retry(at: Int64)
    /// Stop: the delivery goes `dead` with this reason.
    case giveUp(String)
}

/// Exponential backoff with "equal jitter": the n-th retry waits between half and all of
/// `min(maxBackoff, base × 2^(n-1))`; a provider's `Retry-After` is honoured when it is longer.
public struct ExponentialJitterRetryPolicy: RetryPolicy, Equatable {
    public var maxAttempts: Int
    /// Milliseconds before the first retry (upper bound before jitter).
    public var base: Int64
    /// Upper bound of one wait, milliseconds.
    public var maxBackoff: Int64
    /// A delivery older than this (milliseconds since creation) is not retried any more.
    public var maxAge: Int64

    public init(maxAttempts: Int = 12, base: Int64 = 5_000, maxBackoff: Int64 = 3_600_000, maxAge: Int64 = 259_200_000) {
        self.maxAttempts = maxAttempts
        self.base = base
        self.maxBackoff = maxBackoff
        self.maxAge = maxAge
    }

    /// The un-jittered ceiling of the wait after attempt `attempt`.
    public func ceiling(afterAttempt attempt: Int) -> Int64 {
        let exponent = min(max(attempt - 1, 0), 40)
        let (scaled, overflow) = base.multipliedReportingOverflow(by: Int64(1) << exponent)
        return overflow ? maxBackoff : min(maxBackoff, scaled)
    }

    public func decide(attempt: Int, retryAfter: Int64?, firstQueuedAt: Int64, now: Int64) -> RetryDecision {
        if attempt >= maxAttempts {
            return .giveUp("gave up after \(attempt) attempts")
        }
        let ceiling = ceiling(afterAttempt: attempt)
        var wait = ceiling / 2 + Int64.random(in: 0...max(0, ceiling - ceiling / 2))
        if let retryAfter, retryAfter > wait { wait = retryAfter }
        let at = now + wait
        if at - firstQueuedAt > maxAge {
            return .giveUp("gave up: the next attempt would be past the maximum age of \(maxAge / 1000) s")
        }
        return .retry(at: at)
    }

    public func refusesWait(until: Int64, firstQueuedAt: Int64) -> String? {
        until - firstQueuedAt > maxAge ? "gave up: waiting would go past the maximum age of \(maxAge / 1000) s" : nil
    }
}

/// Never retry: the first retryable failure is final.
public struct NoRetryPolicy: RetryPolicy {
    public init() {}
    public func decide(attempt: Int, retryAfter: Int64?, firstQueuedAt: Int64, now: Int64) -> RetryDecision {
        .giveUp("retries are disabled")
    }
}

extension RetryPolicy where Self == ExponentialJitterRetryPolicy {
    /// Exponential backoff with jitter.
    public static func exponentialJitter(
        maxAttempts: Int = 12,
        base: Int64 = 5_000,
        maxBackoff: Int64 = 3_600_000,
        maxAge: Int64 = 259_200_000
    ) -> ExponentialJitterRetryPolicy {
        ExponentialJitterRetryPolicy(maxAttempts: maxAttempts, base: base, maxBackoff: maxBackoff, maxAge: maxAge)
    }
}

extension RetryPolicy where Self == NoRetryPolicy {
    /// Never retry.
    public static var dontRetry: NoRetryPolicy { NoRetryPolicy() }
}
