import Logging
import ServiceLifecycle
import UnixSignals

/// Reloads on SIGHUP (`systemctl reload herald`, `herald reload`). A refused reload is logged by
/// the reload itself; the daemon keeps running either way.
struct ReloadService: Service {
    let reload: @Sendable () async throws -> Void
    let logger: Logger

    func run() async throws {
        let signals = await UnixSignalsSequence(trapping: .sighup)
        await cancelWhenGracefulShutdown {
            for await _ in signals {
                logger.info("SIGHUP: reloading the configuration")
                do { try await reload() } catch { /* logged with its reason by reload() */ }
            }
        }
    }
}
