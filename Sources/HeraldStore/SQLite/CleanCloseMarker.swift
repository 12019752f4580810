import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Remembers that the database file was closed cleanly and has not changed since, so the next
/// start may skip the full integrity scan (`PRAGMA quick_check` reads every page: seconds on a
/// database with a million deliveries).
///
/// After a clean close, `<database>.clean` records the file's size, modification time (ns) and
/// inode — only when no write-ahead log is left beside it. Opening the store reads and removes the
/// marker: a crash leaves none, and any change to the file (a restore, a copy, a disk that rewrote
/// it, another program) no longer matches, so the full check runs.
struct CleanCloseMarker {
    let databasePath: String

    var markerPath: String { databasePath + ".clean" }

    /// `size mtime-ns inode` of the database file, or nil when it is missing or has a non-empty WAL.
    func fingerprint() -> String? {
        var wal = stat()
        if stat(databasePath + "-wal", &wal) == 0 && wal.st_size > 0 { return nil }
        var info = stat()
        guard stat(databasePath, &info) == 0 else { return nil }
        let nanoseconds = Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec)
        return "\(info.st_size) \(nanoseconds) \(info.st_ino)"
    }

    /// Records a clean close (best effort: without a marker the next start simply checks).
    func write() {
        guard let fingerprint = fingerprint() else { return }
        try? Data((fingerprint + "\n").utf8).write(to: URL(fileURLWithPath: markerPath), options: .atomic)
    }

    /// Whether the last close was clean and the file is as it left it; removes the marker either way.
    func consume() -> Bool {
        defer { unlink(markerPath) }
        guard let data = FileManager.default.contents(atPath: markerPath),
            let recorded = String(data: data, encoding: .utf8)?.trimmingCharacters(in: .whitespacesAndNewlines),
            let current = fingerprint()
        else { return false }
        return recorded == current
    }
}
