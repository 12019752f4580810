import HeraldCore
import HeraldStore
import Logging
import ServiceLifecycle

/// Purges events and attempts older than `[retention] history`, in batches of `[retention] batch`
/// rows per transaction so the writer is never held for long, every `[retention] interval`.
public struct RetentionService: Service {
    let store: any Store
    let retention: HeraldConfig.Retention
    let logger: Logger

    public init(store: any Store, retention: HeraldConfig.Retention, logger: Logger) {
        self.store = store
        self.retention = retention
        self.logger = logger
    }

    public func run() async throws {
        guard let history = retention.history else {
            try? await gracefulShutdown()
            return
        }
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                var purged = 0
                do {
                    let cutoff = Timestamps.now() - history
                    while !Task.isCancelled {
                        let n = try await store.purgeHistory(before: cutoff, limit: retention.batch)
                        purged += n
                        if n == 0 { break }
                        await Task.yield()
                    }
                    if purged > 0 { logger.info("retention purged history", metadata: ["rows": "\(purged)"]) }
                } catch {
                    logger.error("retention purge failed; will retry", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: .milliseconds(retention.interval))
            }
        }
    }
}
