import CSQLite
import GRDBSQLite

/// SQLite settings that hold for the whole process and can only be made before its first
/// connection opens. ``SQLiteStore`` applies them before it opens its pool.
///
/// SQLite's memory statistics (`SQLITE_CONFIG_MEMSTATUS`, on in Debian's build) take one
/// process-wide mutex on every allocation and free, and the writer allocates for every row:
/// in a drain profile the lock and its memory barriers were ~15 % of the writer thread's samples.
/// Turning them off: drain at C=8 +11 to +15 %, −9 % CPU per delivery, batch enqueue +12 %
/// (BENCHMARKS.md, session 19).
/// Herald never reads those statistics (`sqlite3_memory_used`, soft heap limits).
enum SQLiteProcessSettings {
    /// Whether the settings took effect: false when SQLite was already in use in this process
    /// (another library opened a database first); everything still works, only slower.
    static let applied: Bool = herald_sqlite_disable_memory_statistics() == SQLITE_OK

    /// Applies the settings once; later calls do nothing.
    @discardableResult
    static func apply() -> Bool { applied }

    /// Whether SQLite counts its memory. Meaningful while a connection is open: it then holds
    /// memory, which is counted only when statistics are on.
    static var countsMemory: Bool { sqlite3_memory_used() > 0 }
}
