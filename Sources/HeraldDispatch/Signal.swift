import Synchronization

/// A wake-up flag one task waits on and anyone can raise. A raise with nobody waiting is kept
/// (once), so a notification between two waits is never lost.
public final class Signal: Sendable {
    private struct State {
        var raised = false
        var waiter: CheckedContinuation<Void, Never>?
    }

    private let state = Mutex(State())

    public init() {}

    /// Wakes the waiter, or remembers the raise for the next wait.
    public func raise() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if let waiter = state.waiter {
                state.waiter = nil
                return waiter
            }
            state.raised = true
            return nil
        }
        waiter?.resume()
    }

    /// Waits for a raise, at most `milliseconds`. Only one task may wait at a time.
    public func wait(milliseconds: Int64) async {
        if state.withLock({ state in
            let was = state.raised
            state.raised = false
            return was
        }) { return }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.waitUntilRaised() }
            group.addTask { try? await Task.sleep(for: .milliseconds(max(milliseconds, 0))) }
            await group.next()
            group.cancelAll()
        }
    }

    private func waitUntilRaised() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let resumeNow = state.withLock { state -> Bool in
                    if state.raised || Task.isCancelled {
                        state.raised = false
                        return true
                    }
                    state.waiter = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume()
        }
    }
}
