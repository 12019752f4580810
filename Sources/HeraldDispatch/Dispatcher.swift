import Foundation
import HeraldChannels
import HeraldCore
import HeraldStore
import Logging
import ServiceLifecycle
import Synchronization

/// Claims due deliveries in batches with a lease, hands them to each channel's threads,
/// and records the outcomes. Runs as a `Service`: on graceful shutdown it stops claiming,
/// gives unstarted work back to the queue, lets in-flight attempts finish and records them.
public final class Dispatcher: Service, Sendable {
    /// Options of the dispatcher.
    public struct Options: Sendable {
        public var claimBatch: Int
        public var lease: Int64
        public var pollInterval: Int64
        public var drainTimeout: Int64
        /// Milliseconds finished attempts wait for more before one transaction records them all.
        public var recordLinger: Int64
        public var retry: any RetryPolicy
        public var renderer: MessageRenderer
        /// The level of a `delivery sent` line (`[log] deliveries`): info, or debug when only
        /// problems are logged.
        public var sentLogLevel: Logger.Level
        /// Tiers and their quiet hours, which retries keep.
        public var routing: RoutingPolicy

        public init(config: HeraldConfig, renderer: MessageRenderer) {
            self.renderer = renderer
            claimBatch = config.dispatch.claimBatch
            lease = config.dispatch.lease
            pollInterval = config.dispatch.pollInterval
            drainTimeout = config.dispatch.drainTimeout
            recordLinger = config.dispatch.recordLinger ?? (config.database.isPostgres ? 10 : 0)
            retry = config.retry
            sentLogLevel = config.log.deliveries == .all ? .info : .debug
            routing = config.routing
        }
    }

    private let store: any Store
    private let pools: [ChannelPool]
    private let options: Options
    private let logger: Logger
    private let owner: String
    private let results = ResultBuffer()
    private let recorder: ResultRecorder
    /// Raised on new work (enqueue), freed capacity (recorded results) and shutdown. Shared by the
    /// dispatchers that follow each other across reloads, so enqueues always wake the running one.
    public let wakeup: Signal
    /// Called on every turn of the claim loop (the systemd watchdog ping): if the loop stops
    /// turning, the pings stop and systemd restarts the daemon.
    private let heartbeat: @Sendable () -> Void
    /// Opens tasks for phone deliveries and escalates overdue ones.
    private let desk: PhoneDesk?

    public init(
        store: any Store, channels: [any Channel], options: Options, logger: Logger, desk: PhoneDesk? = nil,
        wakeup: Signal = Signal(), heartbeat: @escaping @Sendable () -> Void = {}
    ) {
        self.wakeup = wakeup
        self.heartbeat = heartbeat
        self.desk = desk
        self.store = store
        recorder = ResultRecorder(store: store)
        self.pools = channels.map { ChannelPool(channel: $0, claimBatch: options.claimBatch) }
        self.options = options
        self.logger = logger
        owner = "\(ProcessInfo.processInfo.hostName):\(ProcessInfo.processInfo.processIdentifier):"
            + HeraldID.make(.task).suffix(8)
    }

    public func run() async throws {
        let resolver = OutcomeResolver(retry: options.retry)
        for pool in pools {
            guard let window = pool.channel.rateWindow else { continue }
            // Rate limits carry over a restart: sends of the last window still count.
            let now = Timestamps.now()
            do {
                let sends = try await store.recentSends(channel: pool.channel.name, since: now - window - pool.channel.attemptTimeout)
                pool.channel.restore(recentSends: sends, now: now)
            } catch {
                logger.error("cannot read recent sends; rate limits start empty", metadata: ["channel": "\(pool.channel.name)", "error": "\(error)"])
            }
        }
        // Instances sharing a store share the robots' allowances through it.
        let limiter = store.sharesRateLimits ? SharedRateLimiter(store: store, logger: logger) : nil
        for pool in pools {
            try pool.start(
                results: results, resolver: resolver, renderer: options.renderer, limiter: limiter, logger: logger,
                sentLogLevel: options.sentLogLevel)
        }
        logger.info("dispatcher started", metadata: ["channels": "\(pools.map(\.channel.name).joined(separator: ","))"])

        let released = try await withThrowingTaskGroup(of: Void.self) { group -> Int in
            group.addTask { await self.recordLoop() }
            await withGracefulShutdownHandler {
                await self.claimLoop()
            } onGracefulShutdown: {
                self.wakeup.raise()
            }
            // Shutting down: no new claims. Give back what never started, let in-flight attempts finish.
            var unstarted: [String] = []
            for pool in self.pools {
                pool.queue.close()
                unstarted += pool.queue.takeRemaining().map(\.delivery.id)
            }
            do {
                try await self.store.release(deliveryIDs: unstarted, now: Timestamps.now())
            } catch {
                self.logger.error("could not release unstarted deliveries; their leases will expire", metadata: ["error": "\(error)"])
            }
            for pool in self.pools where !(await pool.waitUntilStopped(timeout: self.options.drainTimeout)) {
                self.logger.warning("attempts still running at the drain timeout; their leases will expire",
                                    metadata: ["channel": "\(pool.channel.name)"])
            }
            self.results.signal.raise()
            group.cancelAll()
            try await group.waitForAll()
            return unstarted.count
        }
        try await flushResults()
        logger.info("dispatcher stopped", metadata: ["released": "\(released)"])
    }

    private func claimLoop() async {
        var lastExpiry: Int64 = 0
        var lastSweep: Int64 = 0
        var lastRenewal = Timestamps.now()
        let renewEvery = max(pools.map { lease(for: $0) }.min() ?? options.lease, 300) / 3
        let phoneChannels = desk?.channels.keys.sorted() ?? []
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            let now = Timestamps.now()
            heartbeat()
            var claimedAny = false
            var roomLeft = false
            do {
                if now - lastExpiry >= 1_000 {
                    lastExpiry = now
                    let expired = try await store.expireDue(now: now, limit: 1_000)
                    if expired > 0 { logger.info("deliveries expired", metadata: ["count": "\(expired)"]) }
                    let escalated = try await store.fireEscalations(now: now, limit: 1_000)
                    if escalated > 0 { logger.info("messages escalated", metadata: ["count": "\(escalated)"]) }
                }
                if now - lastRenewal >= renewEvery {
                    lastRenewal = now
                    await renewWaitingLeases(now: now)
                }
                if let desk {
                    if now - lastSweep >= 10_000 {
                        lastSweep = now
                        // (Expired first: a manager is not told about a call nobody should make.)
                        let closed = try await store.closeTasksOfExpiredMessages(now: now, limit: 200)
                        if !closed.isEmpty {
                            logger.info("call tasks of expired messages closed", metadata: ["tasks": "\(closed.joined(separator: ","))"])
                        }
                        _ = try await desk.sweepOverdue(now: now)
                    }
                    for name in phoneChannels {
                        let claimed = try await store.claim(
                            channel: name, limit: 50, now: now, leaseUntil: now + options.lease, owner: owner)
                        if claimed.count < 50 { roomLeft = true }
                        guard !claimed.isEmpty else { continue }
                        try await desk.open(claimed, channel: name, now: now)
                        claimedAny = true
                    }
                }
                for pool in pools {
                    guard let room = pool.claimableRoom else { continue }
                    let claimed = try await store.claim(
                        channel: pool.channel.name, limit: min(room, options.claimBatch), now: now,
                        leaseUntil: now + lease(for: pool), owner: owner)
                    if claimed.count < room { roomLeft = true }
                    guard !claimed.isEmpty else { continue }
                    claimedAny = true
                    pool.metrics.claimed(claimed.count)
                    pool.outstanding.add(claimed.count, ordering: .acquiringAndReleasing)
                    pool.queue.push(await withQuietWindows(claimed))
                }
            } catch {
                logger.error("claiming failed; retrying shortly", metadata: ["error": "\(error)"])
                await wakeup.wait(milliseconds: min(options.pollInterval, 1_000))
                continue
            }
            if claimedAny { continue }
            // Nothing claimed. Sleep until the next due time, new work (enqueue) or freed capacity
            // (recorder): all three raise `wakeup`.
            var sleep = min(options.pollInterval, renewEvery)
            if roomLeft, let next = try? await store.nextDueTime(channels: pools.map(\.channel.name) + phoneChannels) {
                // Work due now that could not be claimed (it expires this second, or a race): look again
                // soon, without spinning.
                sleep = min(sleep, max(next - Timestamps.now(), 50))
            }
            await wakeup.wait(milliseconds: sleep)
        }
    }

    /// `claimed` with the quiet window each non-urgent message's client keeps, read in one query
    /// for the batch, and only when a tier has quiet hours and a claimed message has a client.
    /// Without it (the read failed) retries are not held: the attempts go ahead regardless.
    private func withQuietWindows(_ claimed: [ClaimedDelivery]) async -> [ClaimedDelivery] {
        guard options.routing.hasQuietHours else { return claimed }
        let ids = Set(claimed.compactMap { $0.message.priority == .urgent ? nil : $0.message.clientID })
        guard !ids.isEmpty else { return claimed }
        let clients: [Client]
        do {
            clients = try await store.clients(ids: Array(ids))
        } catch {
            logger.warning("reading clients for quiet hours failed; retries are not held", metadata: ["error": "\(error)"])
            return claimed
        }
        let byID = Dictionary(clients.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        return claimed.map { item in
            var item = item
            guard let id = item.message.clientID, let client = byID[id] else { return item }
            item.quietWindow = options.routing.quietWindow(for: client, tier: item.message.tier, priority: item.message.priority)
            return item
        }
    }

    /// A lease that outlasts the longest attempt with room to spare. Deliveries still waiting in the
    /// local queue have theirs renewed every third of a lease, so however deep the queue, a lease
    /// never runs out before its attempt starts (which would let another claim send it too), and
    /// a crashed instance's work is taken over after one lease, not after its whole queue's worth.
    private func lease(for pool: ChannelPool) -> Int64 {
        max(options.lease, 3 * pool.channel.attemptTimeout)
    }

    private func renewWaitingLeases(now: Int64) async {
        for pool in pools {
            let waiting = pool.queue.waiting().map(\.delivery.id)
            guard !waiting.isEmpty else { continue }
            do {
                let held = try await store.renewLeases(deliveryIDs: waiting, owner: owner, until: now + lease(for: pool))
                if held < waiting.count {
                    logger.debug("some waiting deliveries are no longer ours (cancelled or taken over)",
                                 metadata: ["channel": "\(pool.channel.name)", "lost": "\(waiting.count - held)"])
                }
            } catch {
                logger.error("renewing the leases of waiting deliveries failed; they may be claimed again when they run out",
                             metadata: ["channel": "\(pool.channel.name)", "error": "\(error)"])
            }
        }
    }

    private func recordLoop() async {
        while !Task.isCancelled {
            await results.signal.wait(milliseconds: 1_000)
            // Batching on purpose: results that finish within the linger share one transaction.
            if options.recordLinger > 0 && !Task.isCancelled { try? await Task.sleep(for: .milliseconds(options.recordLinger)) }
            do { try await flushResults() } catch {
                logger.error("recording results failed; retrying", metadata: ["error": "\(error)"])
                try? await Task.sleep(for: .milliseconds(200))
            }
        }
    }

    private func flushResults() async throws {
        let flush = await recorder.flush(results)
        var done: [String: Int] = [:]
        for result in flush.committed.results { done[result.report.channel, default: 0] += 1 }
        for item in flush.committed.postponed { done[item.channel, default: 0] += 1 }
        // Wake the claim loop only when a pool has room for a claim worth making: it would do
        // nothing else (a wake-up per recorded batch cost futex calls and context switches).
        var roomToClaim = false
        for pool in pools {
            guard let n = done[pool.channel.name] else { continue }
            pool.outstanding.subtract(n, ordering: .acquiringAndReleasing)
            if pool.claimableRoom != nil { roomToClaim = true }
        }
        if roomToClaim { wakeup.raise() }
        // What failed is back in the buffer (its leases stay held) for the next flush.
        if let failure = flush.failure { throw failure }
    }
}
