import HeraldCore
import PostgresNIO

/// Maps PostgreSQL errors onto Herald errors a caller can act on. Server messages are kept (they
/// name constraints and columns, never bound values); the client's own errors are summarised.
enum PostgresErrors {
    /// SQLSTATE of a server error, or nil for a client-side one (connection, protocol).
    static func state(_ error: any Error) -> String? {
        (error as? PSQLError)?.serverInfo?[.sqlState]
    }

    static func isUniqueViolation(_ error: any Error) -> Bool { state(error) == "23505" }

    /// Serialisation failure or deadlock: the transaction may simply be run again.
    static func isRetryable(_ error: PSQLError) -> Bool {
        guard let state = error.serverInfo?[.sqlState] else { return false }
        return state == "40001" || state == "40P01"
    }

    /// What went wrong opening a connection, in a line an operator can act on.
    static func describe(_ error: any Error) -> String {
        guard let error = error as? PSQLError else { return "\(error)" }
        if let info = error.serverInfo {
            return "\(info[.message] ?? "server error") (SQLSTATE \(info[.sqlState] ?? "?"))"
        }
        switch error.code {
        case .sslUnsupported:
            return "the server does not offer TLS, which sslmode requires"
        default:
            if let underlying = error.underlying { return "\(error.code): \(underlying)" }
            return "\(error.code)"
        }
    }

    static func map(_ error: PSQLError) -> any Error {
        if let info = error.serverInfo {
            let state = info[.sqlState] ?? ""
            let message = info[.message] ?? "server error"
            switch state {
            case "40001", "40P01", "23505": return error  // handled by the caller
            case "53100": return HeraldError.unavailable("the PostgreSQL disk is full; nothing was accepted")
            case "25006": return HeraldError.unavailable("the PostgreSQL server is read-only (a standby?): \(message)")
            case _ where state.hasPrefix("08") || state.hasPrefix("57") || state.hasPrefix("53"):
                return HeraldError.unavailable("PostgreSQL is unavailable: \(message) (SQLSTATE \(state))")
            default:
                return HeraldError.internal("PostgreSQL error \(state): \(message)")
            }
        }
        switch error.code {
        case .connectionError, .serverClosedConnection, .clientClosedConnection, .poolClosed, .uncleanShutdown:
            return HeraldError.unavailable("PostgreSQL is unreachable (\(error.code))")
        default:
            return HeraldError.internal("PostgreSQL client error: \(error.code)")
        }
    }
}
