import Foundation
import HeraldChannels
import HeraldCore
import Synchronization

/// Worker threads that post event notices, each with its own reused libcurl handle, so a slow
/// subscriber holds one thread, not the relay.
final class NoticeSender: Sendable {
    /// One notice to post, with where and how.
    struct Job: Sendable {
        var notice: EventNotice
        var url: String
        var signer: WebhookSigner
        var options: HTTPOptions
    }

    /// The receiver's answer to one post.
    struct Attempt: Sendable {
        var notice: EventNotice
        var status: Int?
        /// The receiver's `Retry-After`, ms.
        var retryAfter: Int64?
        /// Nil when the receiver took it (2xx).
        var error: String?
        var finishedAt: Int64
        /// 410 Gone: the receiver says it will never take anything again.
        var gone: Bool
    }

    private let queue = JobQueue<Job>()
    private let finished = Mutex<[Attempt]>([])
    private let running = Atomic<Int>(0)
    private let stopped = Signal()
    /// Raised when an attempt finishes.
    let done: Signal

    init(done: Signal) {
        self.done = done
    }

    func start(threads: Int) throws {
        for index in 0..<threads {
            let easy = try CurlEasy()
            let box = EasyBox(easy)
            running.add(1, ordering: .relaxed)
            let thread = Thread { [self] in
                while let job = queue.pop() {
                    let attempt = Self.post(job, easy: box.easy)
                    finished.withLock { $0.append(attempt) }
                    done.raise()
                }
                if running.subtract(1, ordering: .acquiringAndReleasing).newValue == 0 { stopped.raise() }
            }
            thread.name = "herald-events-\(index)"
            thread.start()
        }
    }

    func push(_ jobs: [Job]) { queue.push(jobs) }

    /// Attempts finished since the last call.
    func takeFinished() -> [Attempt] { finished.withLock { list in defer { list = [] }; return list } }

    /// Stops the threads after their current post; returns the jobs never started.
    func stop(waitMilliseconds: Int64) async -> [Job] {
        queue.close()
        if running.load(ordering: .acquiring) > 0 { await stopped.wait(milliseconds: waitMilliseconds) }
        return queue.takeRemaining()
    }

    static func post(_ job: Job, easy: CurlEasy) -> Attempt {
        let now = Timestamps.now()
        let body = Array(job.notice.payload.utf8)
        let headers = job.signer.headers(id: job.notice.id, body: body, now: now)
        do {
            let response = try easy.post(url: job.url, headers: headers, body: body, options: job.options)
            let ok = (200..<300).contains(response.status)
            let snippet = response.bodySnippet()
            return Attempt(
                notice: job.notice, status: response.status,
                retryAfter: RetryAfter.milliseconds(response.header("retry-after"), now: now),
                error: ok ? nil : "HTTP \(response.status)" + (snippet.isEmpty ? "" : ": \(snippet)"),
                finishedAt: Timestamps.now(), gone: response.status == 410)
        } catch {
            return Attempt(
                notice: job.notice, status: nil, retryAfter: nil, error: error.message, finishedAt: Timestamps.now(),
                gone: false)
        }
    }
}

/// Hands a non-Sendable curl handle to the one thread that uses it.
private final class EasyBox: @unchecked Sendable {
    let easy: CurlEasy
    init(_ easy: CurlEasy) { self.easy = easy }
}
