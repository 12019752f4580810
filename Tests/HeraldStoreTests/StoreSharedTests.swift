import Foundation
import HeraldCore
import HeraldStore
import Synchronization
import Testing

/// Several handles on one database, as several Herald instances hold it.
@Suite struct StoreSharedTests {
    @Test(arguments: StoreBackend.allCases)
    func concurrentClaimsFromSeveralHandlesNeverTakeOneDeliveryTwice(backend: StoreBackend) async throws {
        let (stores, cleanup) = try await backend.makeShared(count: 3)
        defer { cleanup() }
        let now = Timestamps.now()
        _ = try await stores[0].enqueue((0..<300).map { i in Fixtures.planned(to: [("webhook", "https://x.example/\(i)")], now: now) })
        let claimed = try await withThrowingTaskGroup(of: [String].self) { group in
            for (n, store) in stores.enumerated() {
                group.addTask {
                    var mine: [String] = []
                    while true {
                        let batch = try await store.claim(
                            channel: "webhook", limit: 7, now: now, leaseUntil: now + 60_000, owner: "instance-\(n)")
                        if batch.isEmpty { return mine }
                        mine += batch.map(\.delivery.id)
                    }
                }
            }
            var all: [[String]] = []
            for try await ids in group { all.append(ids) }
            return all
        }
        let ids = claimed.flatMap { $0 }
        #expect(ids.count == 300)
        #expect(Set(ids).count == 300)  // nobody took one another had
        #expect(claimed.filter { !$0.isEmpty }.count >= 2, "the work was shared: \(claimed.map(\.count))")
    }

    @Test(arguments: StoreBackend.allCases)
    func oneIdempotencyKeySentToSeveralHandlesAtOnceMakesOneMessage(backend: StoreBackend) async throws {
        let (stores, cleanup) = try await backend.makeShared(count: 3)
        defer { cleanup() }
        let now = Timestamps.now()
        let results = try await withThrowingTaskGroup(of: EnqueueResult?.self) { group in
            for store in stores {
                group.addTask { try await store.enqueue([Fixtures.planned(key: "order-77", now: now)]).first }
            }
            var all: [EnqueueResult?] = []
            for try await r in group { all.append(r) }
            return all
        }
        var created: [String] = []
        var duplicates: [String] = []
        for result in results {
            switch result {
            case .created(let m, _)?: created.append(m.id)
            case .duplicate(let m, _)?: duplicates.append(m.id)
            default: Issue.record("unexpected \(String(describing: result))")
            }
        }
        #expect(created.count == 1 && duplicates.count == 2)
        #expect(Set(duplicates) == Set(created))
    }

    @Test func slotsOfARateLimitAreSharedByEveryHandle() async throws {
        let (stores, cleanup) = try await StoreBackend.postgres.makeShared(count: 3)
        defer { cleanup() }
        let now = Timestamps.now()
        #expect(stores.allSatisfy { $0.sharesRateLimits })
        let answers = try await withThrowingTaskGroup(of: SlotReservation.self) { group in
            for i in 0..<60 {
                let store = stores[i % 3]
                group.addTask { try await store.reserveSlot(key: "dingtalk:robot-1", limit: 20, now: now, holdUntil: now + 5_000 + Int64(i)) }
            }
            var all: [SlotReservation] = []
            for try await a in group { all.append(a) }
            return all
        }
        let granted = answers.compactMap { if case .granted(let id) = $0 { id } else { nil } }
        #expect(granted.count == 20)
        #expect(answers.allSatisfy { if case .full(let at) = $0 { at >= now + 5_000 } else { true } })
        // Another robot has its own allowance.
        guard case .granted = try await stores[1].reserveSlot(key: "dingtalk:robot-2", limit: 20, now: now, holdUntil: now + 5_000)
        else { Issue.record("robot-2 was refused"); return }
        // A finished send counts until a window after it; then its slot frees, the others not yet.
        try await stores[2].finishSlot(id: granted[0], holdUntil: now + 1_000)
        #expect(try await stores[0].reserveSlot(key: "dingtalk:robot-1", limit: 20, now: now + 999, holdUntil: now + 9_000)
            == .full(freeAt: now + 1_000))
        guard case .granted = try await stores[0].reserveSlot(key: "dingtalk:robot-1", limit: 20, now: now + 1_000, holdUntil: now + 9_000)
        else { Issue.record("the finished slot did not free"); return }
        guard case .full = try await stores[1].reserveSlot(key: "dingtalk:robot-1", limit: 20, now: now + 1_000, holdUntil: now + 9_000)
        else { Issue.record("more than 20 slots"); return }
    }

    @Test func newWorkIsAnnouncedToTheOtherHandles() async throws {
        let (stores, cleanup) = try await StoreBackend.postgres.makeShared(count: 2)
        defer { cleanup() }
        let (wakes, wake) = AsyncStream<Void>.makeStream()
        let watcher = Task { try await stores[0].watchForWork { wake.yield() } }
        let other = stores[1]
        let counted = Task { () -> Int in
            var n = 0
            for await _ in wakes {
                n += 1
                // The first wake-up says it listens; then another handle enqueues.
                if n == 1 { _ = try? await other.enqueue([Fixtures.planned(now: Timestamps.now())]) }
                if n == 2 { break }
            }
            return n
        }
        let timeout = Task { try await Task.sleep(for: .seconds(10)); wake.finish() }
        let woke = await counted.value == 2
        timeout.cancel()
        watcher.cancel()
        #expect(woke, "the enqueue on another handle woke the watcher")
    }
}
