import HeraldCore
import Testing

@Suite struct RetryPolicyTests {
    let policy = ExponentialJitterRetryPolicy(maxAttempts: 5, base: 1_000, maxBackoff: 10_000, maxAge: 3_600_000)

    @Test(arguments: [(1, 1_000), (2, 2_000), (3, 4_000), (4, 8_000), (5, 10_000), (60, 10_000)] as [(Int, Int64)])
    func ceilingDoublesUpToTheCap(attempt: Int, ceiling: Int64) {
        #expect(policy.ceiling(afterAttempt: attempt) == ceiling)
    }

    @Test func waitIsBetweenHalfAndAllOfTheCeiling() {
        for attempt in 1...4 {
            let ceiling = policy.ceiling(afterAttempt: attempt)
            for _ in 0..<200 {
                guard case .retry(let at) = policy.decide(attempt: attempt, retryAfter: nil, firstQueuedAt: 0, now: 100)
                else {
                    Issue.record("expected a retry at attempt \(attempt)")
                    return
                }
                #expect(at - 100 >= ceiling / 2 && at - 100 <= ceiling)
            }
        }
    }

    @Test func retryAfterLongerThanBackoffIsHonoured() {
        #expect(policy.decide(attempt: 1, retryAfter: 30_000, firstQueuedAt: 0, now: 0) == .retry(at: 30_000))
    }

    @Test func retryAfterShorterThanBackoffDoesNotShortenIt() {
        guard case .retry(let at) = policy.decide(attempt: 3, retryAfter: 1, firstQueuedAt: 0, now: 0) else {
            Issue.record("expected retry")
            return
        }
        #expect(at >= 2_000)
    }

    @Test func givesUpAtMaxAttempts() {
        guard case .giveUp(let reason) = policy.decide(attempt: 5, retryAfter: nil, firstQueuedAt: 0, now: 0) else {
            Issue.record("expected give up")
            return
        }
        #expect(reason.contains("5 attempts"))
    }

    @Test func givesUpWhenTheNextAttemptWouldPassMaxAge() {
        let decision = policy.decide(attempt: 1, retryAfter: nil, firstQueuedAt: 0, now: 3_599_999)
        guard case .giveUp(let reason) = decision else {
            Issue.record("expected give up, got \(decision)")
            return
        }
        #expect(reason.contains("maximum age"))
    }

    @Test func dontRetryNeverRetries() {
        let never: any RetryPolicy = .dontRetry
        #expect(never.decide(attempt: 1, retryAfter: nil, firstQueuedAt: 0, now: 0) == .giveUp("retries are disabled"))
    }
}
