import Foundation
import HeraldChannels
import HeraldCore
import HeraldDispatch
import HeraldStore
import Logging
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Lets one reload run at a time.
final class ReloadGate: Sendable {
    private let busy = Mutex(false)

    func enter() throws(HeraldError) {
        let taken = busy.withLock { busy -> Bool in
            if busy { return false }
            busy = true
            return true
        }
        if !taken { throw .conflict("a reload is already in progress") }
    }

    func leave() { busy.withLock { $0 = false } }
}

/// What a reload did.
public struct ReloadReport: Sendable {
    public var channels: [String]
    public var templates: Int
    public var tiers: [String]
    /// Changed settings a reload does not apply (listener, database, …): they wait for a restart.
    public var needRestart: [String]
}

extension HeraldApplication {
    /// Reads the configuration file again and applies templates, channels, tiers (and everything
    /// derived from them, resend guard rails and phone settings included) atomically: the new set is
    /// built and checked whole first; on any problem it is refused with the reason and the running
    /// configuration stays. The dispatcher drains before its successor starts, so no attempt in
    /// flight is dropped. systemd hears RELOADING=1, then READY=1 with the outcome as STATUS. A
    /// reload that applied is written to the audit log under `actor` (`token:NAME`, or
    /// `signal:SIGHUP` for `systemctl reload` and `herald reload`).
    public func reload(actor: String) async throws -> ReloadReport {
        try reloads.enter()
        defer { reloads.leave() }
        notifier.send(["RELOADING=1", "MONOTONIC_USEC=\(Self.monotonicMicroseconds())"])
        let next: RuntimeSnapshot
        do {
            let config = try ConfigLoader.load(path: configPath)
            next = try RuntimeSnapshot.build(config: config, environment: environment, store: store, links: links, logger: logger)
        } catch {
            let reason = (error as? HeraldError)?.detail ?? "\(error)"
            logger.error("reload refused; the running configuration stays", metadata: ["reason": "\(reason)"])
            notifier.send(["READY=1", "STATUS=reload refused: \(reason.split(separator: "\n").first ?? "")"])
            throw HeraldError.invalid(field: "(configuration)", reason)
        }
        let running = runtime.current.config
        var needRestart: [String] = []
        if next.config.server != running.server { needRestart.append("[server]") }
        if next.config.database != running.database { needRestart.append("[database]") }
        if next.config.dispatch != running.dispatch { needRestart.append("[dispatch]") }
        if next.config.tracking != running.tracking { needRestart.append("[tracking]") }
        if next.config.events != running.events { needRestart.append("[events] and [subscriptions]") }
        if next.config.retention != running.retention { needRestart.append("[retention]") }
        runtime.replace(with: next)
        await supervisor.replace(with: Self.dispatcher(for: next, store: store, notifier: notifier, wakeup: wakeup, logger: logger))
        let report = ReloadReport(
            channels: next.channels.map(\.name).sorted(), templates: next.renderer.library.all.count,
            tiers: next.config.tiers.keys.sorted(), needRestart: needRestart)
        logger.info("configuration reloaded", metadata: [
            "channels": "\(report.channels.joined(separator: ","))", "templates": "\(report.templates)",
            "tiers": "\(report.tiers.joined(separator: ","))",
        ])
        if !needRestart.isEmpty {
            logger.warning("changed settings apply after a restart", metadata: ["sections": "\(needRestart.joined(separator: " "))"])
        }
        notifier.send(["READY=1", "STATUS=configuration reloaded"])
        var detail = "channels \(report.channels.joined(separator: ",")); \(AuditEntry.count(report.templates, "template")); "
            + "tiers \(report.tiers.joined(separator: ","))"
        if !needRestart.isEmpty { detail += "; after a restart: \(needRestart.joined(separator: " "))" }
        await store.audit(.make(.configReloaded, subject: "-", detail: detail, actor: actor, at: Timestamps.now()))
        return report
    }

    static func monotonicMicroseconds() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return UInt64(spec.tv_sec) * 1_000_000 + UInt64(spec.tv_nsec) / 1_000
    }
}
