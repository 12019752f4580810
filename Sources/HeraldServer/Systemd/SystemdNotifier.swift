import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The sd_notify protocol, implemented directly: one `AF_UNIX`/`SOCK_DGRAM` datagram of
/// newline-separated `KEY=VALUE` lines to `$NOTIFY_SOCKET` (a leading `@` names an abstract
/// socket). Does nothing when the variable is unset (not run by systemd).
public final class SystemdNotifier: Sendable {
    private let path: String?
    /// `$WATCHDOG_USEC` in milliseconds, when systemd expects watchdog pings.
    public let watchdogInterval: Int64?
    private let lastPing = Atomic<Int64>(0)

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        path = environment["NOTIFY_SOCKET"].flatMap { $0.isEmpty ? nil : $0 }
        let pid = environment["WATCHDOG_PID"].flatMap(Int32.init)
        if let usec = environment["WATCHDOG_USEC"].flatMap(Int64.init), usec > 0, pid == nil || pid == getpid() {
            watchdogInterval = usec / 1000
        } else {
            watchdogInterval = nil
        }
    }

    public var isActive: Bool { path != nil }

    /// Sends `lines` as one datagram. Failures are ignored: notification is advisory.
    public func send(_ lines: [String]) {
        guard let path else { return }
        let payload = Array(lines.joined(separator: "\n").utf8)
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { return }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var bytes = Array(path.utf8)
        if bytes.first == UInt8(ascii: "@") { bytes[0] = 0 }  // abstract namespace
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard bytes.count < capacity else { return }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, b) in bytes.enumerated() { raw[i] = b }
        }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count + (bytes.first == 0 ? 0 : 1))
        _ = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { sa in
                payload.withUnsafeBytes { sendto(fd, $0.baseAddress, payload.count, 0, sa, length) }
            }
        }
    }

    /// `WATCHDOG=1`, at most every half watchdog interval (call it as often as convenient).
    public func pingWatchdog(now: Int64) {
        guard let interval = watchdogInterval else { return }
        let last = lastPing.load(ordering: .relaxed)
        guard now - last >= interval / 2 else { return }
        lastPing.store(now, ordering: .relaxed)
        send(["WATCHDOG=1"])
    }
}
