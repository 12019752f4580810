import Dispatch
import HeraldCore
import HeraldStore
import Hummingbird

/// Routes for `scripts/bench`, mounted only when `HERALD_BENCH_ENDPOINTS=1`.
///
/// - `POST /bench/noop` reads and parses a JSON body like the enqueue route and stores nothing: the
///   enqueue benchmark's ceiling.
/// - `POST /bench/wait` does the same and then waits in a ``GroupCommitter`` whose commit touches
///   no database: it takes ``simulatedCommit`` on a serial queue (about what a group commit under
///   `synchronous=FULL` takes on the bench machine), so concurrent requests wait together as they
///   do for a real commit. What it costs beyond the no-op is the cost of waiting for a commit —
///   suspending the handler and resuming it after the group — without the commit's work.
struct BenchRoutes: Sendable {
    let limit: Int

    static let simulatedCommit = DispatchTimeInterval.milliseconds(2)
    private static let commitQueue = DispatchQueue(label: "herald.bench.commit")
    private static let committer = GroupCommitter { groups in
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            commitQueue.asyncAfter(deadline: .now() + simulatedCommit) { done.resume() }
        }
        return groups.map { _ in [] }
    }

    func register(on router: Router<HeraldRequestContext>) {
        router.post("/bench/noop") { request, _ in
            try await parse(request)
            return JSONResponse.make(.object(["id": .string(HeraldID.make(.message))]), status: .accepted)
        }
        router.post("/bench/wait") { request, _ in
            try await parse(request)
            _ = try await Self.committer.submit([])
            return JSONResponse.make(.object(["id": .string(HeraldID.make(.message))]), status: .accepted)
        }
    }

    private func parse(_ request: Request) async throws {
        let json = try await RequestBody.json(request, limit: limit)
        guard case .object = json else { throw HeraldError.invalid(field: "(body)", "must be a JSON object") }
    }
}
