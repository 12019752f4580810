import HeraldCore
import Synchronization

/// The rate limit and health of every robot of one channel, shared by all its workers.
///
/// Rate: at most `limit` sends per robot in any `window` (a ``RateBucket`` per robot), so the
/// platform's "too fast" error is never provoked. A delivery that finds no token is not
/// attempted; it is postponed to the time a token comes back, so one busy robot never holds a
/// worker and others keep flowing.
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
        var bucket = RateBucket()
        var pausedUntil: Int64 = 0
        var unhealthy: ChannelProblem?
        var recheckAt: Int64 = 0
        var probing = false
    }

    static var margin: Int64 { RateBucket.margin }
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
            let place = r.bucket.takePlace(of: delivery)
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
            guard let slot = r.bucket.take(
                delivery: delivery, place: place, now: now, limit: settings.limit, window: settings.window)
            else { return .proceed }
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
            r.bucket.finished(at: finishedAt, limit: settings.limit, window: settings.window)
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
                r.bucket.withdraw()
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
                r.bucket.spend(at: send.finishedAt, limit: settings.limit, window: settings.window)
                robots[robot] = r
            }
        }
    }

    /// Robots currently marked unhealthy.
    func problems() -> [ChannelProblem] {
        robots.withLock { robots in robots.values.compactMap(\.unhealthy).sorted { $0.since < $1.since } }
    }
}
