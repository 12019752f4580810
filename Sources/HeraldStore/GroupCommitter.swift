import HeraldCore
import Synchronization

/// Lets concurrent enqueues share one transaction: callers queue their messages and wait; one
/// drain task at a time commits everything queued so far and then resumes every waiter.
/// A caller is resumed only after the commit that holds its messages returned. The backend
/// supplies the commit: one transaction inserting each group of messages, results in order.
public final class GroupCommitter: Sendable {
    public typealias Commit = @Sendable ([[PlannedMessage]]) async throws -> [[EnqueueResult]]

    private struct Waiter {
        let messages: [PlannedMessage]
        let continuation: CheckedContinuation<[EnqueueResult], any Error>
    }

    private struct State {
        var pending: [Waiter] = []
        var draining = false
    }

    private let commit: Commit
    private let state = Mutex(State())

    public init(commit: @escaping Commit) {
        self.commit = commit
    }

    public func submit(_ messages: [PlannedMessage]) async throws -> [EnqueueResult] {
        try await withCheckedThrowingContinuation { continuation in
            let startDrain = state.withLock { state -> Bool in
                state.pending.append(Waiter(messages: messages, continuation: continuation))
                if state.draining { return false }
                state.draining = true
                return true
            }
            if startDrain { Task { await self.drain() } }
        }
    }

    private func drain() async {
        while true {
            let batch = state.withLock { state -> [Waiter] in
                let batch = state.pending
                state.pending = []
                if batch.isEmpty { state.draining = false }
                return batch
            }
            if batch.isEmpty { return }
            do {
                let results = try await commit(batch.map(\.messages))
                for (waiter, result) in zip(batch, results) { waiter.continuation.resume(returning: result) }
            } catch {
                for waiter in batch { waiter.continuation.resume(throwing: error) }
            }
        }
    }
}
