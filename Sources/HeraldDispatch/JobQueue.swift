import Foundation
import HeraldCore

/// A blocking FIFO between an async claim loop and worker threads (a channel's, the event relay's).
/// `pop` blocks a worker thread, never a task of the Swift concurrency pool.
final class JobQueue<Job: Sendable>: @unchecked Sendable {
    // Guarded by `condition`.
    private var items: [Job] = []
    private var head = 0
    private var closed = false
    private let condition = NSCondition()

    func push(_ jobs: [Job]) {
        condition.lock()
        items.append(contentsOf: jobs)
        condition.broadcast()
        condition.unlock()
    }

    /// The next job, or nil once the queue is closed (remaining jobs are left for ``takeRemaining()``).
    func pop() -> Job? {
        condition.lock()
        defer { condition.unlock() }
        while head == items.count && !closed { condition.wait() }
        if closed { return nil }
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
        condition.unlock()
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
