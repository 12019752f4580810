import Foundation
import HeraldCore
import PostgresNIO

/// `postgres://user[:password]@host[:port]/database[?sslmode=disable]` as herald.toml's `database`.
public struct PostgresURL: Sendable, Equatable {
    public var host: String
    public var port: Int
    public var user: String
    public var password: String?
    public var database: String

    /// Whether `text` names a PostgreSQL database (rather than a SQLite file).
    public static func isPostgres(_ text: String) -> Bool {
        text.hasPrefix("postgres://") || text.hasPrefix("postgresql://")
    }

    public init(_ text: String) throws {
        guard Self.isPostgres(text), let url = URLComponents(string: text), let host = url.host, !host.isEmpty else {
            throw HeraldError.configuration("database: expected postgres://user@host:port/database")
        }
        guard let user = url.user, !user.isEmpty else {
            throw HeraldError.configuration("database: the PostgreSQL URL names no user (postgres://USER@host/database)")
        }
        let database = String(url.path.drop(while: { $0 == "/" }))
        guard !database.isEmpty else {
            throw HeraldError.configuration("database: the PostgreSQL URL names no database (postgres://user@host/DATABASE)")
        }
        for item in url.queryItems ?? [] {
            switch (item.name, item.value) {
            case ("sslmode", "disable"?): break
            case ("sslmode", let mode):
                throw HeraldError.configuration("database: sslmode=\(mode ?? "") is not supported yet; use sslmode=disable on a trusted network or a local proxy")
            default:
                throw HeraldError.configuration("database: unknown PostgreSQL URL parameter '\(item.name)'")
            }
        }
        self.host = host
        self.port = url.port ?? 5432
        self.user = user.removingPercentEncoding ?? user
        self.password = url.password.map { $0.removingPercentEncoding ?? $0 }
        self.database = database
    }

    /// The URL without its password, for logs and status output.
    public var redacted: String {
        "postgres://\(user)\(password == nil ? "" : ":***")@\(host):\(port)/\(database)"
    }

    public func configuration(maximumConnections: Int) -> PostgresClient.Configuration {
        var configuration = PostgresClient.Configuration(
            host: host, port: port, username: user, password: password, database: database, tls: .disable)
        configuration.options.maximumConnections = maximumConnections
        configuration.options.additionalStartupParameters = [("application_name", "herald")]
        return configuration
    }
}
