import HeraldStore
import Logging
import ServiceLifecycle

/// Wakes this instance's dispatcher when another instance sharing the store commits new work
/// (PostgreSQL LISTEN/NOTIFY), so idle instances start at once instead of at their next poll.
public struct WorkWatcher: Service {
    let store: any Store
    let wakeup: Signal
    let logger: Logger

    public init(store: any Store, wakeup: Signal, logger: Logger) {
        self.store = store
        self.wakeup = wakeup
        self.logger = logger
    }

    public func run() async throws {
        let wakeup = self.wakeup
        await cancelWhenGracefulShutdown {
            do { try await store.watchForWork { wakeup.raise() } } catch {
                logger.warning("not watching for other instances' work; polling only", metadata: ["error": "\(error)"])
            }
        }
        // A store one process uses has nothing to watch: stay until shutdown (a service that returns
        // early would stop the daemon).
        try? await gracefulShutdown()
    }
}
