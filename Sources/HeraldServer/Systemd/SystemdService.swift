import HeraldCore
import HeraldStore
import Logging
import ServiceLifecycle

/// Keeps systemd informed while the daemon runs: `STATUS=` with the queue depth every few seconds,
/// and `STOPPING=1` as soon as a graceful shutdown begins. (`READY=1` is sent when the HTTP
/// listener is up; `WATCHDOG=1` comes from the dispatcher's loop, so a stuck dispatcher is restarted.)
struct SystemdService: Service {
    let notifier: SystemdNotifier
    let store: any Store
    let logger: Logger

    func run() async throws {
        guard notifier.isActive else {
            try? await gracefulShutdown()
            return
        }
        await withGracefulShutdownHandler {
            while !Task.isShuttingDownGracefully && !Task.isCancelled {
                if let depth = try? await store.queueDepth() {
                    let waiting = (depth[.queued] ?? 0) + (depth[.retrying] ?? 0) + (depth[.scheduled] ?? 0)
                    notifier.send(["STATUS=\(waiting) waiting, \(depth[.sending] ?? 0) sending, \(depth[.sent] ?? 0) sent"])
                }
                try? await Task.sleep(for: .seconds(5))
            }
        } onGracefulShutdown: {
            notifier.send(["STOPPING=1", "STATUS=draining"])
        }
    }
}
