import Foundation
import HeraldCore

/// A blocking FIFO between an async claim loop and worker threads (a channel's, the event relay's).
/// `pop` blocks a worker thread, never a task of the Swift concurrency pool; a consumer that waits
/// elsewhere (a multi sender in `curl_multi_poll`) uses `tryPop` and is woken through `onChange`.
final class JobQueue<Job: Sendable>: @unchecked Sendable {
    // Guarded by `condition`.
    private var items: [Job] = []
    private var head = 0
    private var closed = false
    private let condition = NSCondition()
    /// Called after a push and at close, for a consumer that waits elsewhere than in ``pop()``
    /// (a multi sender waiting on its connections).
    private var changed: (@Sendable () -> Void)?

    /// What ``tryPop()`` found.
    enum Next {
        case job(Job)
        case empty
        case closed
    }

    func push(_ jobs: [Job]) {
        condition.lock()
        items.append(contentsOf: jobs)
        condition.broadcast()
        let changed = changed
        condition.unlock()
        changed?()
    }

    /// Sets what to call after each push and at close.
    func onChange(_ action: @escaping @Sendable () -> Void) {
        condition.lock()
        changed = action
        condition.unlock()
    }

    /// The next job without waiting for one.
    func tryPop() -> Next {
        condition.lock()
        defer { condition.unlock() }
        if closed { return .closed }
        if head == items.count { return .empty }
        return .job(take())
    }

    /// The next job, or nil once the queue is closed (remaining jobs are left for ``takeRemaining()``).
    func pop() -> Job? {
        condition.lock()
        defer { condition.unlock() }
        while head == items.count && !closed { condition.wait() }
        if closed { return nil }
        return take()
    }

    /// The job at the head; the lock is held and the queue is not empty.
    private func take() -> Job {
        let job = items[head]
        head += 1
        if head > 1024 && head * 2 > items.count {
            items.removeFirst(head)
            head = 0
        }
        return job
    }

    /// Stops handing out jobs and wakes every waiting worker.
    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        let changed = changed
        condition.unlock()
        changed?()
    }

    /// The jobs waiting, oldest first, left in the queue.
    func waiting() -> [Job] {
        condition.lock()
        defer { condition.unlock() }
        return Array(items[head...])
    }

    /// Jobs that were queued but never started (to release at shutdown).
    func takeRemaining() -> [Job] {
        condition.lock()
        defer { condition.unlock() }
        let rest = Array(items[head...])
        items = []
        head = 0
        return rest
    }
}
