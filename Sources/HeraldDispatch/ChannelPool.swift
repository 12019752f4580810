import Foundation
import HeraldChannels
import HeraldCore
import HeraldStore
import Logging
import Synchronization

/// The threads of one channel. Either `concurrency` worker threads, each owning a
/// ``ChannelWorker`` (and so one reused connection) and making one attempt at a time, or — for a
/// channel with a ``ChannelMultiSender`` (webhooks) — one thread keeping that many attempts in
/// flight. Both pop claimed deliveries, make the attempts and hand the results to the recorder.
final class ChannelPool: Sendable {
    let channel: any Channel
    let queue = JobQueue<ClaimedDelivery>()
    /// Claimed and not yet recorded; the claim loop keeps this under ``capacity``.
    let outstanding = Atomic<Int>(0)
    let capacity: Int
    /// How much room the claim loop waits for before it claims again (an empty queue has all of
    /// it): one claim of a quarter of the capacity instead of one per recorded batch.
    let refill: Int
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
        // Each claim is a write transaction with its own commit: claiming whenever a recorded batch
        // freed some room made as many claims as records (~36 deliveries each in a profiled drain).
        refill = max(1, min(capacity / 4, claimBatch))
        metrics = DispatchMetrics(channel: channel.name)
    }

    /// The room for a claim worth making now, or nil while the local queue still holds plenty of
    /// work (less than ``refill`` is free).
    var claimableRoom: Int? {
        let room = capacity - outstanding.load(ordering: .acquiring)
        return room >= refill ? room : nil
    }

    /// Starts the channel's threads: `concurrency` workers, or one thread driving a multi sender
    /// when the channel has one. Throws if a worker cannot be made (e.g. curl failed to init).
    func start(
        results: ResultBuffer, resolver: OutcomeResolver, renderer: MessageRenderer, limiter: SharedRateLimiter?,
        logger: Logger, sentLogLevel: Logger.Level
    ) throws {
        let context = Context(
            results: results, resolver: resolver, renderer: renderer, limiter: limiter, logger: logger,
            sentLogLevel: sentLogLevel)
        if let sender = try channel.makeMultiSender() {
            queue.onChange(sender.wake)
            let box = ThreadBox(sender)
            spawn("herald-\(channel.name)") { self.drive(box.value, context) }
            return
        }
        for index in 0..<channel.concurrency {
            let box = ThreadBox(try channel.makeWorker())
            spawn("herald-\(channel.name)-\(index)") { self.work(box.value, context) }
        }
    }

    /// Runs `body` on a thread of its own, counted until it returns (``waitUntilStopped(timeout:)``).
    private func spawn(_ name: String, _ body: @escaping @Sendable () -> Void) {
        running.add(1, ordering: .relaxed)
        let thread = Thread { [self] in
            body()
            if running.subtract(1, ordering: .acquiringAndReleasing).newValue == 0 { stopped.raise() }
        }
        thread.name = name
        thread.start()
    }

    /// What the threads share.
    private struct Context {
        let results: ResultBuffer
        let resolver: OutcomeResolver
        let renderer: MessageRenderer
        let limiter: SharedRateLimiter?
        let logger: Logger
        /// `delivery sent` lines go out at this level (info, or debug with `[log] deliveries = "problems"`).
        let sentLogLevel: Logger.Level
    }

    /// One attempt on its way: what its report needs when it ends.
    private struct Flight {
        let claimed: ClaimedDelivery
        let startedAt: Int64
        let clock: ContinuousClock.Instant
        let slot: String?
    }

    /// Before an attempt: render, then ask the channel and the shared limiter.
    private enum Preparation {
        case send(RenderedContent, Flight)
        /// Told to wait: the postponement is with the results.
        case postponed
        case failed(ChannelAttempt, Flight)
    }

    /// A worker thread: one attempt at a time, blocking in the worker.
    private func work(_ worker: any ChannelWorker, _ context: Context) {
        while let claimed = queue.pop() {
            begin(claimed, context) { content, flight in finish(flight, worker.send(claimed, content: content), context) }
        }
    }

    /// The multi sender's thread: keeps up to `capacity` attempts in flight, takes new work as
    /// room frees up, and after the queue closes finishes those in flight before it returns.
    private func drive(_ sender: any ChannelMultiSender, _ context: Context) {
        var flights: [Int: Flight] = [:]
        var nextTag = 0
        var open = true
        while open || !flights.isEmpty {
            while open && flights.count < sender.capacity {
                let next: ClaimedDelivery?
                if flights.isEmpty {
                    next = queue.pop()  // nothing in flight: wait for work
                    if next == nil { open = false }
                } else {
                    switch queue.tryPop() {
                    case .job(let job): next = job
                    case .empty: next = nil
                    case .closed: next = nil; open = false
                    }
                }
                guard let claimed = next else { break }
                begin(claimed, context) { content, flight in
                    flights[nextTag] = flight
                    sender.start(claimed, content: content, tag: nextTag)
                    nextTag &+= 1
                }
            }
            if flights.isEmpty { continue }
            for (tag, attempt) in sender.collect(waitingUpTo: 1_000) {
                if let flight = flights.removeValue(forKey: tag) { finish(flight, attempt, context) }
            }
        }
    }

    /// Prepares `claimed` and hands it to `send`, unless it was postponed (its postponement is
    /// with the results) or could not be rendered (recorded as failed).
    private func begin(_ claimed: ClaimedDelivery, _ context: Context, send: (RenderedContent, Flight) -> Void) {
        switch prepare(claimed, context) {
        case .postponed:
            return
        case .failed(let attempt, let flight):
            finish(flight, attempt, context)
        case .send(let content, let flight):
            send(content, flight)
        }
    }

    private func prepare(_ claimed: ClaimedDelivery, _ context: Context) -> Preparation {
        let now = Timestamps.now()
        let content: RenderedContent
        do {
            content = try context.renderer.render(claimed.message, channel: channel.kind)
        } catch {
            let flight = Flight(claimed: claimed, startedAt: now, clock: ContinuousClock.now, slot: nil)
            return .failed(ChannelAttempt(outcome: .failed(reason: "cannot render the message: \(error)")), flight)
        }
        if case .wait(let until, let reason) = channel.admit(claimed, now: now) {
            return postpone(claimed, until: until, reason: reason, context)
        }
        var slot: String? = nil
        if let limiter = context.limiter {
            let shared = limiter.admit(claimed, channel: channel, now: now)
            if case .wait(let until, let reason) = shared.wait {
                channel.withdraw(claimed)
                return postpone(claimed, until: until, reason: reason, context)
            }
            slot = shared.slot
        }
        return .send(content, Flight(claimed: claimed, startedAt: Timestamps.now(), clock: ContinuousClock.now, slot: slot))
    }

    private func finish(_ flight: Flight, _ attempt: ChannelAttempt, _ context: Context) {
        let claimed = flight.claimed
        if let slot = flight.slot, let limiter = context.limiter { limiter.finished(slot: slot, channel: channel, at: Timestamps.now()) }
        let elapsed = ContinuousClock.now - flight.clock
        let millis = elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000
        let report = AttemptReport(
            deliveryID: claimed.delivery.id, messageID: claimed.message.id, channel: claimed.delivery.channel,
            number: claimed.attemptNumber,
            startedAt: flight.startedAt, durationMillis: millis, statusCode: attempt.statusCode, outcome: attempt.outcome.displayable,
            segments: attempt.segments)
        let result = context.resolver.resolve(
            report, createdAt: claimed.delivery.createdAt, now: flight.startedAt + millis, quiet: claimed.quietWindow)
        metrics.attempt(result.newState, elapsed: elapsed)
        Self.log(result, claimed: claimed, logger: context.logger, sentLevel: context.sentLogLevel)
        context.results.append(result)
    }

    /// A delivery that must wait (rate limit, unhealthy robot) goes to the recorder as a
    /// postponement: no attempt is counted, unless the wait would end past the delivery's maximum
    /// age, which makes it dead instead.
    private func postpone(_ claimed: ClaimedDelivery, until: Int64, reason: String, _ context: Context) -> Preparation {
        var item = Postponement(
            deliveryID: claimed.delivery.id, messageID: claimed.message.id, channel: claimed.delivery.channel,
            until: until, reason: reason)
        if let why = context.resolver.retry.refusesWait(until: until, firstQueuedAt: claimed.delivery.createdAt) {
            item.givesUp = true
            item.reason = "\(reason); \(why)"
        }
        metrics.waited()
        context.results.append(item)
        return .postponed
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

    private static func log(_ result: DeliveryResult, claimed: ClaimedDelivery, logger: Logger, sentLevel: Logger.Level) {
        let (level, text): (Logger.Level, Logger.Message) = switch result.newState {
        case .sent: (sentLevel, "delivery sent")
        case .retrying: (.info, "delivery will be retried")
        default: (.warning, "delivery ended")
        }
        // Building metadata costs more than the check: skip it when the line would be dropped.
        guard logger.logLevel <= level else { return }
        // One metadata dictionary for the call (a key set on the logger copies its handler each
        // time); the handler merges and sorts it into the same line.
        var metadata: Logger.Metadata = [
            "delivery": .string(claimed.delivery.id), "channel": .string(claimed.delivery.channel),
            "status": .string(result.newState.rawValue), "attempt": .string(String(result.report.number)),
            "ms": .string(String(result.report.durationMillis)),
        ]
        if let code = result.report.statusCode { metadata["code"] = .string(String(code)) }
        if result.newState != .sent { metadata["error"] = .string(result.error ?? "") }
        logger.log(level: level, text, metadata: metadata)
    }
}

/// Moves a thread-confined worker or multi sender into its thread's closure.
private final class ThreadBox<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
