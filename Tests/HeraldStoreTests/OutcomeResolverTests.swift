import Foundation
import HeraldCore
@testable import HeraldDispatch
import HeraldStore
import Testing

/// A retry that would fall inside the client's quiet hours waits for them to end.
@Suite struct OutcomeResolverTests {
    static let utc = TimeZone(identifier: "UTC")!
    /// 2026-11-23 at `hour`:`minute` UTC, epoch ms.
    static func at(_ hour: Int, _ minute: Int = 0) -> Int64 {
        Timestamps.parse(String(format: "2026-11-23T%02d:%02d:00Z", hour, minute))!
    }

    func report(_ outcome: DeliveryOutcome) -> AttemptReport {
        AttemptReport(deliveryID: "dlv_1", messageID: "msg_1", channel: "sms", number: 1, startedAt: Self.at(20, 55),
                      durationMillis: 10, statusCode: 503, outcome: outcome)
    }

    @Test func aRetryDueInQuietHoursWaitsForTheirEnd() throws {
        // Retry-After 10 minutes from 20:55 is 21:05, inside 21:00–08:00: the next attempt is at 08:00.
        let resolver = OutcomeResolver(retry: ExponentialJitterRetryPolicy(base: 1_000, maxBackoff: 1_000))
        let quiet = QuietWindow(hours: try #require(QuietHours(parsing: "21:00-08:00")), timezone: Self.utc)
        let outcome = DeliveryOutcome.retry(after: 600_000, reason: "HTTP 503")
        let held = resolver.resolve(report(outcome), createdAt: Self.at(20, 50), now: Self.at(20, 55), quiet: quiet)
        #expect(held.newState == .retrying && held.nextDueAt == Self.at(8) + 86_400_000)
        let unheld = resolver.resolve(report(outcome), createdAt: Self.at(20, 50), now: Self.at(20, 55))
        #expect(unheld.nextDueAt == Self.at(21, 5))
        // Outside the window nothing moves.
        let noon = resolver.resolve(report(outcome), createdAt: Self.at(11, 50), now: Self.at(12), quiet: quiet)
        #expect(noon.nextDueAt == Self.at(12, 10))
    }

    @Test func aHoldPastTheMaximumAgeGivesUpInstead() throws {
        let resolver = OutcomeResolver(retry: ExponentialJitterRetryPolicy(base: 1_000, maxBackoff: 1_000, maxAge: 3_600_000))
        let quiet = QuietWindow(hours: try #require(QuietHours(parsing: "21:00-08:00")), timezone: Self.utc)
        let result = resolver.resolve(
            report(.retry(after: 600_000, reason: "HTTP 503")), createdAt: Self.at(20, 50), now: Self.at(20, 55), quiet: quiet)
        #expect(result.newState == .dead && result.error?.hasPrefix("HTTP 503; gave up") == true)
    }
}
