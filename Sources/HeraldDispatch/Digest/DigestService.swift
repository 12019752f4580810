import CoreMetrics
import HeraldCore
import Logging
import ServiceLifecycle

/// Sends the CSMs' digests (``CSMDigest``) once a day at `[digest] at`. Reads the digest from the
/// running configuration at each look (`current`, nil without `[digest]`), so a reload that
/// changes the time or the templates applies within a minute. A daemon started after `at` sends
/// the day's digests at once; a digest sent since local midnight and the per-day key make a second
/// sending (a restart, another instance, a changed time zone) a no-op.
public struct DigestService: Service {
    let current: @Sendable () -> CSMDigest?
    let logger: Logger

    public init(current: @escaping @Sendable () -> CSMDigest?, logger: Logger) {
        self.current = current
        self.logger = logger
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            var sentDay: String?
            while !Task.isCancelled {
                let now = Timestamps.now()
                var wait: Int64 = 60_000
                if let digest = current() {
                    let settings = digest.settings
                    let day = settings.day(of: now)
                    if settings.isDue(at: now), day != sentDay {
                        do {
                            let outcomes = try await digest.send(now: now)
                            sentDay = day
                            for (_, outcome) in outcomes { Counter(label: "herald_digests_total", dimensions: [("outcome", outcome.label)]).increment() }
                            let sent = outcomes.filter { if case .sent = $0.1 { true } else { false } }.count
                            logger.info("CSM digests", metadata: [
                                "day": "\(day)", "csms": "\(outcomes.count)", "sent": "\(sent)",
                                "not_sent": "\(outcomes.compactMap { if case .notSent(let why) = $0.1 { "\($0.0.email): \(why)" } else { nil } })",
                            ])
                        } catch {
                            Counter(label: "herald_digests_total", dimensions: [("outcome", "error")]).increment()
                            logger.error("CSM digests failed; retrying in a minute", metadata: ["error": "\(error)"])
                        }
                    }
                    wait = min(max(settings.next(after: now) - now, 1_000), 60_000)
                }
                try? await Task.sleep(for: .milliseconds(wait))
            }
        }
    }
}
