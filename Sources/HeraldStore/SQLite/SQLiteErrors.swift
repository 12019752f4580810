import GRDB
import HeraldCore

/// Maps SQLite result codes onto Herald errors a caller can act on.
enum SQLiteErrors {
    static func map(_ error: any Error) -> any Error {
        guard let db = error as? DatabaseError else { return error }
        switch db.resultCode {
        case .SQLITE_FULL:
            return HeraldError.unavailable("the database disk is full; nothing was accepted")
        case .SQLITE_BUSY, .SQLITE_LOCKED:
            return HeraldError.unavailable("the database is locked by another process")
        case .SQLITE_READONLY, .SQLITE_CANTOPEN, .SQLITE_IOERR, .SQLITE_PERM:
            return HeraldError.unavailable("the database cannot be written: \(db.message ?? "I/O error")")
        case .SQLITE_CORRUPT, .SQLITE_NOTADB:
            return HeraldError.unavailable("the database file is damaged: \(db.message ?? "corrupt")")
        default:
            return error
        }
    }
}
