import HeraldCore
import HeraldPostgres
import HeraldStore
import Logging

/// Opens the store the configuration names: the SQLite file, or PostgreSQL for `database = "postgres://…"`.
public enum StoreOpener {
    /// The store, not yet migrated. Throws a configuration error for a bad URL or an unreadable password.
    /// `wakeHorizon`: the dispatchers' poll interval (PostgreSQL announces only work due within it).
    public static func open(
        _ database: HeraldConfig.Database, wakeHorizon: Int64, environment: [String: String], logger: Logger
    ) throws -> any Store {
        guard let text = database.url else {
            return try SQLiteStore(path: database.path, busyTimeout: database.busyTimeout, logger: logger)
        }
        var url = try PostgresURL(text)
        if url.password == nil, let reference = database.password {
            url.password = try reference.resolve(environment: environment)
        }
        return PostgresStore(url: url, maximumConnections: database.maxConnections, wakeHorizon: wakeHorizon, logger: logger)
    }
}
