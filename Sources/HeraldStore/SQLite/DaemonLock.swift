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
        return flock(fd, LOCK_EX | LOCK_NB) == 0
    }

    public func release() {
        guard fd >= 0 else { return }
        _ = flock(fd, LOCK_UN)
        close(fd)
        fd = -1
    }

    deinit { release() }
}
