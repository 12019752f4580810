import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// An advisory `flock` on `<database>.lock`, held by `herald serve` for its whole life, so that a
/// restore (or a second daemon) can tell that the database is in use.
public final class DaemonLock: @unchecked Sendable {
    private let path: String
    private var fd: Int32 = -1

    public init(databasePath: String) throws {
        path = databasePath + ".lock"
    }

    /// Takes the lock without waiting; false when another process holds it.
    public func tryAcquire() -> Bool {
        if fd < 0 {
            let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
            try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        }
        guard fd >= 0 else { return false }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else { return false }
        // The holder's pid, for `herald reload` (SIGHUP) and for operators.
        let pid = Array("\(getpid())\n".utf8)
        _ = ftruncate(fd, 0)
        _ = pid.withUnsafeBytes { pwrite(fd, $0.baseAddress, pid.count, 0) }
        return true
    }

    /// The pid written by the process holding the lock, or nil when nobody holds it.
    public static func holder(databasePath: String) -> Int32? {
        let path = databasePath + ".lock"
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        // Held by someone else: our shared lock attempt fails.
        guard flock(fd, LOCK_SH | LOCK_NB) != 0 else {
            _ = flock(fd, LOCK_UN)
            return nil
        }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        return Int32(text.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    public func release() {
        guard fd >= 0 else { return }
        _ = flock(fd, LOCK_UN)
        close(fd)
        fd = -1
    }

    deinit { release() }
}
