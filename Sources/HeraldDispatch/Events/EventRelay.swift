import CoreMetrics
import HeraldChannels
import HeraldCore
import HeraldStore
import Logging
import ServiceLifecycle

/// Sends delivery events to subscriptions: fans the event log out into notices (one per
/// subscription and event), posts them signed per Standard Webhooks, retries with backoff and
/// dead-letters what the policy gives up on — all in the notice outbox, apart from message
/// deliveries. A delivery's notices go out one at a time in order, each with a sequence number.
public final class EventRelay: Service, Sendable {
    let store: any Store
    let settings: EventSettings
    /// Subscriptions from herald.toml, secrets resolved.
    public let declared: [Subscription]
    /// API subscriptions' secrets, sealed in the store.
    public let secrets: SubscriptionSecrets
    let logger: Logger
    private let wakeup = Signal()

    public init(store: any Store, settings: EventSettings, declared: [Subscription], secrets: SubscriptionSecrets, logger: Logger) {
        self.store = store
        self.settings = settings
        self.declared = declared
        self.secrets = secrets
        self.logger = logger
    }

    /// The herald.toml subscriptions with their secrets read (a missing or malformed secret is a
    /// configuration error naming the subscription).
    public static func resolve(_ settings: EventSettings) throws(HeraldError) -> [Subscription] {
        try settings.declared.map { d throws(HeraldError) -> Subscription in
            let secret: String
            do throws(HeraldError) {
                secret = try d.secret.resolve()
                _ = try WebhookSigner(secret: secret)
            } catch {
                throw .configuration("[subscriptions.\(d.name)] secret: \(error.detail)")
            }
            return Subscription(
                id: Subscription.configID(d.name), name: d.name, url: d.url, topics: d.topics, secret: secret, source: .config,
                allowPrivateNetworks: true, createdAt: 0)
        }
    }

    /// Wakes the relay (after a subscription is created or redriven).
    public func poke() { wakeup.raise() }

    public func run() async throws {
        let sender = NoticeSender(done: wakeup)
        try sender.start(threads: settings.concurrency)
        await cancelWhenGracefulShutdown { [self] in await loop(sender) }
        // Notices never started keep their lease and go out after it runs out (next start).
        _ = await sender.stop(waitMilliseconds: settings.timeout + 1_000)
        try? await store.finishNotices(sender.takeFinished().map(result))
    }

    private func loop(_ sender: NoticeSender) async {
        let outcomes = ["delivered", "retry", "dead"].map { outcome in
            (outcome, Counter(label: "herald_event_notices_total", dimensions: [("outcome", outcome)]))
        }
        let counters = Dictionary(uniqueKeysWithValues: outcomes)
        let capacity = settings.concurrency * 4
        var inFlight = 0
        var parked = false
        var unrecorded: [NoticeResult] = []  // kept when recording fails, so the next turn tries again
        var reported: Set<String> = []      // unreadable secrets already logged
        while !Task.isCancelled {
            do {
                let finished = sender.takeFinished()
                inFlight -= finished.count
                let results = finished.map(result)
                unrecorded += results
                for r in results {
                    switch r.outcome {
                    case .delivered: counters["delivered"]?.increment()
                    case .retry: counters["retry"]?.increment()
                    case .dead: counters["dead"]?.increment()
                    }
                }
                try await store.finishNotices(unrecorded)
                unrecorded = []
                // A subscription whose secret cannot be opened (the tracking key changed) still gets its
                // notices, which wait, pending, until it can sign them again: none is lost or dead.
                let (api, unreadable) = try await secrets.load()
                for (s, reason) in unreadable where reported.insert(s.id).inserted {
                    logger.error(
                        "subscription cannot sign its events; they wait until it can",
                        metadata: [
                            "subscription": "\(s.name)", "reason": "\(reason)",
                            "fix": "restore the [tracking] key it was made with, or delete and re-create it",
                        ])
                }
                reported.formIntersection(unreadable.map(\.0.id))
                let subscriptions = declared + api
                let routes = (subscriptions + unreadable.map(\.0)).map { SubscriptionRoute(id: $0.id, topics: $0.topics) }
                // Without subscribers the position is parked once; nothing is written turn after turn.
                if !(routes.isEmpty && parked) {
                    while try await store.fanOut(to: routes, limit: 500, now: Timestamps.now()) == 500 {}
                    parked = routes.isEmpty
                }
                if inFlight < capacity, !subscriptions.isEmpty {
                    let jobs = try await claim(subscriptions, limit: capacity - inFlight)
                    inFlight += jobs.count
                    sender.push(jobs)
                }
            } catch {
                logger.error("event relay turn failed; will retry", metadata: ["error": "\(error)"])
            }
            await wakeup.wait(milliseconds: settings.pollInterval)
        }
    }

    private func claim(_ subscriptions: [Subscription], limit: Int) async throws -> [NoticeSender.Job] {
        let now = Timestamps.now()
        let claimed = try await store.claimNotices(
            subscriptionIDs: subscriptions.map(\.id), limit: limit, now: now, leaseUntil: now + settings.timeout * 2 + 30_000)
        // Secrets were checked when the subscription was made (or at start): one signer per subscription.
        var signers: [String: (Subscription, WebhookSigner)] = [:]
        for s in subscriptions { if let signer = try? WebhookSigner(secret: s.secret) { signers[s.id] = (s, signer) } }
        return claimed.compactMap { notice -> NoticeSender.Job? in
            guard let (s, signer) = signers[notice.subscriptionID] else { return nil }
            return NoticeSender.Job(
                notice: notice, url: s.url, signer: signer,
                options: HTTPOptions(
                    connectTimeout: min(5_000, settings.timeout), timeout: settings.timeout, userAgent: "Herald-Events/0.1",
                    blockPrivateAddresses: !s.allowPrivateNetworks))
        }
    }

    /// The notice's next state after an attempt.
    func result(_ attempt: NoticeSender.Attempt) -> NoticeResult {
        let notice = attempt.notice
        guard let error = attempt.error else {
            return NoticeResult(noticeID: notice.id, outcome: .delivered, statusCode: attempt.status, error: nil, at: attempt.finishedAt)
        }
        if attempt.gone {
            logger.warning("subscriber answered 410 Gone; notice dead-lettered", metadata: ["subscription": "\(notice.subscriptionID)"])
            return NoticeResult(noticeID: notice.id, outcome: .dead, statusCode: attempt.status, error: error, at: attempt.finishedAt)
        }
        switch settings.retry.decide(
            attempt: notice.attempts + 1, retryAfter: attempt.retryAfter, firstQueuedAt: notice.createdAt, now: attempt.finishedAt)
        {
        case .retry(let at):
            return NoticeResult(noticeID: notice.id, outcome: .retry(at: at), statusCode: attempt.status, error: error, at: attempt.finishedAt)
        case .giveUp(let reason):
            logger.warning(
                "event notice dead-lettered", metadata: ["subscription": "\(notice.subscriptionID)", "notice": "\(notice.id)", "reason": "\(reason)"])
            return NoticeResult(
                noticeID: notice.id, outcome: .dead, statusCode: attempt.status, error: "\(error); \(reason)", at: attempt.finishedAt)
        }
    }
}
