import HeraldCore
@testable import HeraldDispatch
import HeraldStore
import Synchronization
import Testing

/// The dispatcher's recorder against real stores whose commits are made to fail once: what
/// committed is never committed again, what failed is committed by the next flush.
@Suite struct ResultRecorderTests {
    struct InjectedFailure: Error {}

    /// Fails the first `failures` calls, then passes on to the store.
    final class FlakyCall: Sendable {
        private let left: Mutex<Int>
        init(failures: Int) { left = Mutex(failures) }
        func check() throws {
            let fail = left.withLock { left in
                defer { left = max(0, left - 1) }
                return left > 0
            }
            if fail { throw InjectedFailure() }
        }
    }

    private func sent(_ claimed: ClaimedDelivery, now: Int64) -> DeliveryResult {
        DeliveryResult(
            report: AttemptReport(deliveryID: claimed.delivery.id, messageID: claimed.message.id, channel: "webhook", number: 1,
                                  startedAt: now, durationMillis: 12, statusCode: 204, outcome: .sent(providerID: nil)),
            newState: .sent, nextDueAt: nil, error: nil, providerID: nil)
    }

    private func waiting(_ claimed: ClaimedDelivery, until: Int64) -> Postponement {
        Postponement(deliveryID: claimed.delivery.id, messageID: claimed.message.id, channel: "webhook",
                     until: until, reason: "rate limit of endpoint")
    }

    private func claimThree(_ store: any Store, now: Int64) async throws -> [ClaimedDelivery] {
        _ = try await store.enqueue((0..<3).map { _ in Fixtures.planned(now: now) })
        let claimed = try await store.claim(channel: "webhook", limit: 10, now: now, leaseUntil: now + 60_000, owner: "w")
        try #require(claimed.count == 3)
        return claimed
    }

    @Test(arguments: StoreBackend.allCases)
    func aFailedPostponementDoesNotRecordTheAttemptsTwice(backend: StoreBackend) async throws {
        let (store, cleanup) = try await backend.make()
        defer { cleanup() }
        let now = Timestamps.now()
        let claimed = try await claimThree(store, now: now)
        let flaky = FlakyCall(failures: 1)
        let recorder = ResultRecorder(
            record: { try await store.record($0) },
            postpone: { try flaky.check(); try await store.postpone($0, now: now) })
        let buffer = ResultBuffer()
        buffer.append(sent(claimed[0], now: now))
        buffer.append(waiting(claimed[1], until: now + 5_000))

        let first = await recorder.flush(buffer)
        #expect(first.failure is InjectedFailure)
        #expect(first.committed.results.map(\.report.deliveryID) == [claimed[0].delivery.id])
        #expect(first.committed.postponed.isEmpty)

        // A result finishing meanwhile queues behind the postponement that went back.
        buffer.append(sent(claimed[2], now: now))
        let second = await recorder.flush(buffer)
        #expect(second.failure == nil)
        #expect(second.committed.results.map(\.report.deliveryID) == [claimed[2].delivery.id])
        #expect(second.committed.postponed.map(\.deliveryID) == [claimed[1].delivery.id])
        #expect(buffer.takeAll().isEmpty)

        let recorded = try #require(try await store.message(id: claimed[0].message.id))
        #expect(recorded.attempts.count == 1 && recorded.deliveries[0].state == .sent)
        #expect(recorded.events.filter { $0.type == "sent" }.count == 1)
        let postponed = try #require(try await store.message(id: claimed[1].message.id))
        #expect(postponed.attempts.isEmpty && postponed.deliveries[0].state == .queued)
        #expect(postponed.deliveries[0].dueAt == now + 5_000)
        #expect(postponed.events.filter { $0.type == "postponed" }.count == 1)
    }

    @Test(arguments: StoreBackend.allCases)
    func aFailedRecordGoesBackWhilePostponementsCommit(backend: StoreBackend) async throws {
        let (store, cleanup) = try await backend.make()
        defer { cleanup() }
        let now = Timestamps.now()
        let claimed = try await claimThree(store, now: now)
        let flaky = FlakyCall(failures: 2)
        let recorder = ResultRecorder(
            record: { try flaky.check(); try await store.record($0) },
            postpone: { try await store.postpone($0, now: now) })
        let buffer = ResultBuffer()
        buffer.append(sent(claimed[0], now: now))
        buffer.append(waiting(claimed[1], until: now + 5_000))

        let first = await recorder.flush(buffer)
        #expect(first.failure is InjectedFailure)
        #expect(first.committed.results.isEmpty && first.committed.postponed.count == 1)
        buffer.append(sent(claimed[2], now: now))
        let second = await recorder.flush(buffer)
        #expect(second.failure is InjectedFailure && second.committed.isEmpty)
        // The one that went back twice is still first, ahead of the newer one.
        let third = await recorder.flush(buffer)
        #expect(third.failure == nil)
        #expect(third.committed.results.map(\.report.deliveryID) == [claimed[0].delivery.id, claimed[2].delivery.id])

        for index in [0, 2] {
            let detail = try #require(try await store.message(id: claimed[index].message.id))
            #expect(detail.attempts.count == 1 && detail.deliveries[0].state == .sent)
        }
        let postponed = try #require(try await store.message(id: claimed[1].message.id))
        #expect(postponed.events.filter { $0.type == "postponed" }.count == 1)
    }
}
