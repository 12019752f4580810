import HeraldCore
import Synchronization

/// The rate limit and health of every robot of one channel, shared by all its workers.
///
/// Rate: at most `limit` sends per robot in any `window`, counted from when each send *finished*
/// (a platform counts a request when it arrives, which is before it finishes). It is a token
/// bucket whose tokens come back one window after the send that spent them, so a burst of
/// `limit` is allowed and a sliding window of the platform's length never sees more: the
/// platform's "too fast" error is never provoked. A delivery that finds no token is not
/// attempted; it is postponed to the time a token comes back (and spread over later windows
/// when many wait), so one busy robot never holds a worker and others keep flowing.
///
/// Health: a robot the platform refuses as such (bad key, signature, keyword) is unhealthy;
/// its deliveries wait `recheck`, then one goes through as a probe.
final class BotGate: Sendable {
    struct Settings: Sendable {
        var limit: Int
        var window: Int64
        var rateLimitedPause: Int64
        var recheck: Int64
    }

    private struct Robot {
        /// When each recently spent token comes back (epoch ms), ascending; at most `limit`.
        var returns: [Int64] = []
        var inFlight = 0
        /// Postponements handed out (delivery id → time): spreads waiting deliveries over the
        /// windows, first come first served.
        var promised: [String: Int64] = [:]
        var pausedUntil: Int64 = 0
        var unhealthy: ChannelProblem?
        var recheckAt: Int64 = 0
        var probing = false

        mutating func settle(now: Int64) {
            if let i = returns.firstIndex(where: { $0 > now }) { returns.removeFirst(i) } else { returns.removeAll() }
        }

        /// Forgets promises long past (their deliveries were cancelled, expired or taken elsewhere).
        mutating func forgetStale(now: Int64, window: Int64) {
            if promised.count > 64 { promised = promised.filter { $0.value > now - 2 * window } }
        }
    }

    /// Extra milliseconds added to each token's return: clock granularity between two hosts.
    static let margin: Int64 = 5
    let settings: Settings
    private let robots = Mutex<[String: Robot]>([:])

    init(settings: Settings) {
        self.settings = settings
    }

    /// Takes a token for `robot` or says until when to wait.
    /// - Parameter delivery: the delivery asking; one that waited before keeps its place in line.
    func admit(_ robot: String, delivery: String, now: Int64) -> ChannelAdmission {
        robots.withLock { robots in
            var r = robots[robot] ?? Robot()
            defer { robots[robot] = r }
            r.settle(now: now)
            let place = r.promised.removeValue(forKey: delivery)
            if let problem = r.unhealthy {
                if r.probing || now < r.recheckAt {
                    let until = max(r.recheckAt, now + 1_000)
                    return .wait(until: until, reason: "robot \(problem.destination) is unhealthy (\(problem.reason)); waiting for a recheck")
                }
                r.probing = true
                r.recheckAt = now + settings.recheck
            }
            if now < r.pausedUntil {
                return .wait(until: r.pausedUntil, reason: "robot \(BotAddress(id: robot).shortID) was rate-limited by the platform; resting")
            }
            if r.returns.count + r.inFlight < settings.limit {
                r.inFlight += 1
                return .proceed
            }
            // Full: the k-th in line gets the k-th token to come back, a window later per round.
            // A delivery that was promised a slot before stays ahead of those promised later.
            r.forgetStale(now: now, window: settings.window)
            let spent = (r.returns + Array(repeating: now + settings.window + Self.margin, count: r.inFlight)).sorted()
            let k = place.map { mine in r.promised.values.count { $0 <= mine } } ?? r.promised.count
            let slot = max(spent[k % spent.count] + Int64(k / spent.count) * settings.window, now + 1)
            r.promised[delivery] = slot
            return .wait(
                until: slot,
                reason: "rate limit of robot \(BotAddress(id: robot).shortID): \(settings.limit) per \(DurationText.format(settings.window))")
        }
    }

    /// Returns the token taken by ``admit(_:now:)`` once the send is over, with what it showed.
    func finished(_ robot: String, at finishedAt: Int64, verdict: BotVerdict) {
        robots.withLock { robots in
            var r = robots[robot] ?? Robot()
            defer { robots[robot] = r }
            r.inFlight = max(0, r.inFlight - 1)
            r.returns.append(finishedAt + settings.window + Self.margin)
            r.returns.sort()
            if r.returns.count > settings.limit { r.returns.removeFirst(r.returns.count - settings.limit) }
            switch verdict {
            case .accepted, .failed:
                r.unhealthy = nil
                r.probing = false
            case .rateLimited(let pause, _):
                r.pausedUntil = max(r.pausedUntil, finishedAt + max(pause ?? 0, settings.rateLimitedPause))
                r.probing = false
            case .robotRejected(let reason):
                if r.unhealthy == nil {
                    r.unhealthy = ChannelProblem(destination: BotAddress(id: robot).shortID, reason: reason, since: finishedAt)
                }
                r.probing = false
                r.recheckAt = finishedAt + settings.recheck
            case .retry:
                r.probing = false
            }
        }
    }

    /// Takes back an admission whose send did not happen: its token was never spent.
    func withdraw(_ robot: String) {
        robots.withLock { robots in
            if var r = robots[robot] {
                r.inFlight = max(0, r.inFlight - 1)
                r.probing = false
                robots[robot] = r
            }
        }
    }

    /// Seeds the windows with sends made before a restart.
    func restore(_ sends: [RecentSend], now: Int64) {
        robots.withLock { robots in
            for send in sends where send.finishedAt + settings.window + Self.margin > now {
                let robot = BotAddress(parsing: send.destination).id
                var r = robots[robot] ?? Robot()
                r.returns.append(send.finishedAt + settings.window + Self.margin)
                r.returns.sort()
                if r.returns.count > settings.limit { r.returns.removeFirst(r.returns.count - settings.limit) }
                robots[robot] = r
            }
        }
    }

    /// Robots currently marked unhealthy.
    func problems() -> [ChannelProblem] {
        robots.withLock { robots in robots.values.compactMap(\.unhealthy).sorted { $0.since < $1.since } }
    }
}
