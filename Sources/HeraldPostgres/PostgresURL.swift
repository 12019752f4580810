import Foundation
import HeraldCore
import NIOSSL
import PostgresNIO

/// `postgres://user[:password]@host[:port]/database[?sslmode=…&sslrootcert=…]` as herald.toml's
/// `database`. TLS follows libpq's `sslmode`: `disable`, `prefer` (the default: TLS when the server
/// offers it, unverified), `require` (TLS or no connection; verified like `verify-ca` when
/// `sslrootcert` is given, as libpq does), `verify-ca` (the server's certificate chains to the
/// trusted roots) and `verify-full` (and names the host). Trusted roots: `sslrootcert` (a PEM
/// file), else the system's.
public struct PostgresURL: Sendable, Equatable {
    public var host: String
    public var port: Int
    public var user: String
    public var password: String?
    public var database: String
    public var sslMode: SSLMode
    /// PEM file of the certificate authorities trusted for the server's certificate.
    public var sslRootCertificate: String?

    /// libpq's `sslmode` values Herald takes (`allow`, which tries plaintext first, is not one).
    public enum SSLMode: String, Sendable, Equatable, CaseIterable {
        case disable
        case prefer
        case require
        case verifyCA = "verify-ca"
        case verifyFull = "verify-full"
    }

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
        var mode = SSLMode.prefer
        var root: String? = nil
        for item in url.queryItems ?? [] {
            switch item.name {
            case "sslmode":
                guard let value = item.value, let parsed = SSLMode(rawValue: value) else {
                    let known = SSLMode.allCases.map(\.rawValue).joined(separator: ", ")
                    throw HeraldError.configuration("database: sslmode=\(item.value ?? "") is not one of \(known)")
                }
                mode = parsed
            case "sslrootcert":
                guard let value = item.value, !value.isEmpty else {
                    throw HeraldError.configuration("database: sslrootcert needs the path of a PEM file")
                }
                root = value
            case "sslcert", "sslkey":
                throw HeraldError.configuration(
                    "database: client certificates (\(item.name)) are not supported; authenticate with a password")
            default:
                throw HeraldError.configuration("database: unknown PostgreSQL URL parameter '\(item.name)'")
            }
        }
        if let root {
            guard mode != .disable else {
                throw HeraldError.configuration("database: sslrootcert has no effect with sslmode=disable")
            }
            guard FileManager.default.isReadableFile(atPath: root) else {
                throw HeraldError.configuration("database: sslrootcert \(root) cannot be read")
            }
        }
        self.host = host
        self.port = url.port ?? 5432
        self.user = user.removingPercentEncoding ?? user
        self.password = url.password.map { $0.removingPercentEncoding ?? $0 }
        self.database = database
        self.sslMode = mode
        self.sslRootCertificate = root
    }

    /// The URL without its password, for logs and status output.
    public var redacted: String {
        var text = "postgres://\(user)\(password == nil ? "" : ":***")@\(host):\(port)/\(database)"
        if sslMode != .prefer { text += "?sslmode=\(sslMode.rawValue)" }
        return text
    }

    /// The TLS settings for ``sslMode`` and ``sslRootCertificate`` (nil: no TLS), and whether a
    /// server without TLS is refused.
    var tls: (configuration: TLSConfiguration, required: Bool)? {
        var configuration = TLSConfiguration.makeClientConfiguration()
        if let root = sslRootCertificate { configuration.trustRoots = .file(root) }
        switch sslMode {
        case .disable:
            return nil
        case .prefer:
            configuration.certificateVerification = .none
            return (configuration, false)
        case .require:
            configuration.certificateVerification = sslRootCertificate == nil ? .none : .noHostnameVerification
        case .verifyCA:
            configuration.certificateVerification = .noHostnameVerification
        case .verifyFull:
            configuration.certificateVerification = .fullVerification
        }
        return (configuration, true)
    }

    public func configuration(maximumConnections: Int) -> PostgresClient.Configuration {
        let mode: PostgresClient.Configuration.TLS = switch tls {
        case nil: .disable
        case let (configuration, required)?: required ? .require(configuration) : .prefer(configuration)
        }
        var configuration = PostgresClient.Configuration(
            host: host, port: port, username: user, password: password, database: database, tls: mode)
        configuration.options.maximumConnections = maximumConnections
        configuration.options.additionalStartupParameters = [("application_name", "herald")]
        return configuration
    }

    /// The same settings for one connection outside the pool.
    func connectionConfiguration(connectTimeout seconds: Int64) throws -> PostgresConnection.Configuration {
        let mode: PostgresConnection.Configuration.TLS
        switch tls {
        case nil: mode = .disable
        case let (configuration, required)?:
            let context = try NIOSSLContext(configuration: configuration)
            mode = required ? .require(context) : .prefer(context)
        }
        var configuration = PostgresConnection.Configuration(
            host: host, port: port, username: user, password: password, database: database, tls: mode)
        configuration.options.connectTimeout = .seconds(seconds)
        configuration.options.additionalStartupParameters = [("application_name", "herald")]
        return configuration
    }
}
