import ArgumentParser
import Foundation
import HeraldCore
import HeraldServer
import HeraldStore
import Logging

/// Options every subcommand takes.
struct GlobalOptions: ParsableArguments {
    @Option(name: .shortAndLong, help: "Configuration file (default: ./herald.toml if present, else built-in defaults).")
    var config: String?

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical (default: $HERALD_LOG_LEVEL or info).")
    var logLevel: String?

    func validate() throws {
        if let logLevel, Logger.Level(rawValue: logLevel) == nil {
            throw ValidationError("--log-level must be one of: trace, debug, info, notice, warning, error, critical")
        }
    }

    func loadConfig() throws -> HeraldConfig {
        do {
            return try ConfigLoader.load(path: config)
        } catch {
            throw CLIFailure(error)
        }
    }

    /// Runs `body` with the configured store opened and migrated, closing it afterwards, also on errors.
    func withStore<T: Sendable>(_ body: (HeraldConfig, any Store) async throws -> T) async throws -> T {
        let config = try loadConfig()
        let store = try StoreOpener.open(
            config.database, wakeHorizon: config.dispatch.pollInterval, environment: ProcessInfo.processInfo.environment,
            logger: Logger(label: "herald.store"))
        do {
            try await store.migrate()
            let result = try await body(config, store)
            try await store.close()
            return result
        } catch {
            try? await store.close()
            throw error
        }
    }

    /// Refuses an argument that cannot be a message id, before anything is opened (exit 64).
    static func checkMessageID(_ id: String) throws {
        guard HeraldID.isValid(id, kind: .message) else {
            throw ValidationError("'\(id)' is not a message id (they look like msg_01JD…)")
        }
    }

    /// Who the events a command causes name as their actor: `cli:` and the login name.
    static var actor: String { "cli:" + (ProcessInfo.processInfo.environment["USER"] ?? "unknown") }

    /// A `--data` argument: a JSON object inline, or `@FILE`.
    static func readData(_ argument: String) throws -> JSONValue {
        let bytes: [UInt8]
        if argument.hasPrefix("@") {
            guard let contents = FileManager.default.contents(atPath: String(argument.dropFirst())) else {
                throw CLIFailure("cannot read \(argument.dropFirst())", code: 66)
            }
            bytes = Array(contents)
        } else {
            bytes = Array(argument.utf8)
        }
        do { return try JSONValue.parse(bytes) } catch {
            throw HeraldError.invalid(field: "--data", error.detail)
        }
    }

    func makeLogger(label: String = "herald") -> Logger {
        let level = logLevel ?? ProcessInfo.processInfo.environment["HERALD_LOG_LEVEL"] ?? "info"
        LoggingBootstrap.once(level: Logger.Level(rawValue: level) ?? .info)
        return Logger(label: label)
    }
}

/// Bootstraps swift-log once per process, to standard error.
enum LoggingBootstrap {
    nonisolated(unsafe) private static var done = false

    static func once(level: Logger.Level) {
        guard !done else { return }
        done = true
        LoggingSystem.bootstrap { label in
            var handler = LazyMetadataLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }
}
