import HeraldCore

/// The webhook channel's sender: one thread, `concurrency` reused libcurl handles driven by one
/// multi handle, so a slow endpoint holds one of them and the others keep going.
final class WebhookMultiSender: ChannelMultiSender {
    let capacity: Int
    let wake: @Sendable () -> Void
    private let multi: CurlMulti
    private let signer: WebhookSigner
    private let options: HTTPOptions
    /// Handles not in a transfer; each keeps its connection.
    private var idle: [CurlEasy]
    /// Attempts that ended before reaching the network (a request libcurl refused).
    private var ended: [(tag: Int, attempt: ChannelAttempt)] = []

    init(concurrency: Int, signer: WebhookSigner, options: HTTPOptions) throws(TransportError) {
        capacity = max(1, concurrency)
        multi = try CurlMulti()
        let waker = multi.waker
        wake = { waker.wake() }
        self.signer = signer
        self.options = options
        var handles: [CurlEasy] = []
        for _ in 0..<capacity { handles.append(try CurlEasy()) }
        idle = handles
    }

    func start(_ claimed: ClaimedDelivery, content: RenderedContent, tag: Int) {
        let now = Timestamps.now()
        guard let easy = idle.popLast() else {
            // The dispatcher keeps at most `capacity` in flight; should it not, nothing is lost.
            ended.append((tag, ChannelAttempt(outcome: .retry(after: nil, reason: "no free connection"))))
            return
        }
        let body = WebhookPayload.body(for: claimed, content: content, timestamp: now)
        let headers = signer.headers(id: claimed.delivery.id, body: body, now: now)
        do {
            try easy.startPost(url: claimed.delivery.destination, headers: headers, body: body, options: options)
            try multi.add(easy, tag: tag)
        } catch {
            easy.releaseHeaders()
            idle.append(easy)
            ended.append((tag, WebhookWorker.attempt(error)))
        }
    }

    func collect(waitingUpTo milliseconds: Int32) -> [(tag: Int, attempt: ChannelAttempt)] {
        var done = ended
        ended = []
        var finished = multi.perform()
        if done.isEmpty && finished.isEmpty {
            multi.wait(milliseconds: milliseconds)
            finished = multi.perform()
        }
        let now = Timestamps.now()  // when the answers came (an HTTP-date `Retry-After` counts from it)
        for (easy, tag, code) in finished {
            idle.append(easy)
            do {
                done.append((tag, WebhookWorker.attempt(try easy.finishPost(code), now: now)))
            } catch {
                done.append((tag, WebhookWorker.attempt(error)))
            }
        }
        return done
    }
}
