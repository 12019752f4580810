import Foundation
import HeraldChannels
import HeraldCore
import HeraldStore
import Logging
import Synchronization

/// The worker threads of one channel: each owns a ``ChannelWorker`` (and so one reused
/// connection), pops claimed deliveries, makes the attempt and hands the result to the recorder.
final class ChannelPool: Sendable {
    let channel: any Channel
    let queue = JobQueue<ClaimedDelivery>()
    /// Claimed and not yet recorded; the claim loop keeps this under ``capacity``.
    let outstanding = Atomic<Int>(0)
    let capacity: Int
    let metrics: DispatchMetrics
    private let running = Atomic<Int>(0)
    private let stopped = Signal()

    init(channel: any Channel, claimBatch: Int) {
        self.channel = channel
        // Deep enough that claims and results go to the database in large batches: a transaction
        // costs about the same whatever its size, and at 8 per worker the writer's round trips left
        // the workers waiting (64 per worker: drain 1.5× at C=8). Rate-limited channels keep a
        // short queue, since what they claim beyond their allowance is only postponed again.
        // Leases do not grow with the queue: the dispatcher renews those of waiting deliveries.
        let perWorker = channel.rateLimit == nil ? 64 : 8
        capacity = min(max(channel.concurrency * perWorker, min(claimBatch, 64)), 2_048)
        metrics = DispatchMetrics(channel: channel.name)
    }

    /// Starts `concurrency` threads. Throws if a worker cannot be made (e.g. curl failed to init).
    func start(
        results: ResultBuffer, resolver: OutcomeResolver, renderer: MessageRenderer, limiter: SharedRateLimiter?,
        logger: Logger
    ) throws {
        for index in 0..<channel.concurrency {
            let worker = try channel.makeWorker()
            let box = WorkerBox(worker)
            running.add(1, ordering: .relaxed)
            let thread = Thread { [self] in
                self.work(box.worker, results: results, resolver: resolver, renderer: renderer, limiter: limiter, logger: logger)
                if self.running.subtract(1, ordering: .acquiringAndReleasing).newValue == 0 { self.stopped.raise() }
            }
            thread.name = "herald-\(channel.name)-\(index)"
            thread.start()
        }
    }

    private func work(
        _ worker: any ChannelWorker, results: ResultBuffer, resolver: OutcomeResolver, renderer: MessageRenderer,
        limiter: SharedRateLimiter?, logger: Logger
    ) {
        while let claimed = queue.pop() {
            var started = Timestamps.now()
            var clock = ContinuousClock.now
            let attempt: ChannelAttempt
            var slot: String? = nil
            do {
                let content = try renderer.render(claimed.message, channel: channel.kind)
                if case .wait(let until, let reason) = channel.admit(claimed, now: started) {
                    metrics.waited()
                    results.append(postponement(claimed, until: until, reason: reason, resolver: resolver, now: started))
                    continue
                }
                if let limiter {
                    let shared = limiter.admit(claimed, channel: channel, now: started)
                    if case .wait(let until, let reason) = shared.wait {
                        channel.withdraw(claimed)
                        metrics.waited()
                        results.append(postponement(claimed, until: until, reason: reason, resolver: resolver, now: started))
                        continue
                    }
                    slot = shared.slot
                }
                started = Timestamps.now()
                clock = ContinuousClock.now
                attempt = worker.send(claimed, content: content)
            } catch {
                attempt = ChannelAttempt(outcome: .failed(reason: "cannot render the message: \(error)"))
            }
            if let slot, let limiter { limiter.finished(slot: slot, channel: channel, at: Timestamps.now()) }
            let elapsed = ContinuousClock.now - clock
            let millis = elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000
            let report = AttemptReport(
                deliveryID: claimed.delivery.id, messageID: claimed.message.id, channel: claimed.delivery.channel,
                number: claimed.attemptNumber,
                startedAt: started, durationMillis: millis, statusCode: attempt.statusCode, outcome: attempt.outcome,
                segments: attempt.segments)
            let result = resolver.resolve(report, createdAt: claimed.delivery.createdAt, now: started + millis)
            metrics.attempt(result.newState, milliseconds: millis)
            Self.log(result, claimed: claimed, logger: logger)
            results.append(result)
        }
    }

    /// A delivery that must wait (rate limit, unhealthy robot): no attempt is counted, unless the
    /// wait would end past the delivery's maximum age, which makes it dead instead.
    private func postponement(
        _ claimed: ClaimedDelivery, until: Int64, reason: String, resolver: OutcomeResolver, now: Int64
    ) -> Postponement {
        var item = Postponement(
            deliveryID: claimed.delivery.id, messageID: claimed.message.id, channel: claimed.delivery.channel,
            until: until, reason: reason)
        if let why = resolver.retry.refusesWait(until: until, firstQueuedAt: claimed.delivery.createdAt) {
            item.givesUp = true
            item.reason = "\(reason); \(why)"
        }
        return item
    }

    /// Waits until every thread has finished its current attempt and exited (after ``JobQueue/close()``).
    func waitUntilStopped(timeout milliseconds: Int64) async -> Bool {
        let deadline = ContinuousClock.now + .milliseconds(milliseconds)
        while running.load(ordering: .acquiring) > 0 {
            let left = deadline - ContinuousClock.now
            if left <= .zero { return false }
            await stopped.wait(milliseconds: min(Int64(left.components.seconds * 1000) + 1, 200))
        }
        return true
    }

    private static func log(_ result: DeliveryResult, claimed: ClaimedDelivery, logger: Logger) {
        let level: Logger.Level = switch result.newState {
        case .sent, .retrying: .info
        default: .warning
        }
        // Building metadata costs more than the check: skip it when the line would be dropped.
        guard logger.logLevel <= level else { return }
        var logger = logger
        logger[metadataKey: "delivery"] = "\(claimed.delivery.id)"
        logger[metadataKey: "channel"] = "\(claimed.delivery.channel)"
        logger[metadataKey: "status"] = "\(result.newState.rawValue)"
        logger[metadataKey: "attempt"] = "\(result.report.number)"
        logger[metadataKey: "ms"] = "\(result.report.durationMillis)"
        if let code = result.report.statusCode { logger[metadataKey: "code"] = "\(code)" }
        switch result.newState {
        case .sent: logger.info("delivery sent")
        case .retrying: logger.info("delivery will be retried", metadata: ["error": "\(result.error ?? "")"])
        default: logger.warning("delivery ended", metadata: ["error": "\(result.error ?? "")"])
        }
    }
}

/// Moves a thread-confined worker into its thread's closure.
private final class WorkerBox: @unchecked Sendable {
    let worker: any ChannelWorker
    init(_ worker: any ChannelWorker) { self.worker = worker }
}
