import ArgumentParser
import Foundation
import HeraldCore
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
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }
}
