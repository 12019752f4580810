import ArgumentParser
import Foundation
import HeraldChannels
import HeraldCore
import HeraldStore

#if canImport(Glibc)
import Glibc
#endif

struct Reload: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check the configuration, then tell the running daemon to reload templates, channels and tiers (SIGHUP).",
        discussion: """
            The daemon checks the new configuration again as a whole; if it is refused, the running one \
            stays and the reason is in the log. Under systemd, `systemctl reload herald` does the same.
            """)

    @OptionGroup var options: GlobalOptions

    func run() async throws {
        try await CLIFailure.guarding {
            // The same checks the daemon makes, so a mistake is reported here, with file and line.
            let config = try options.loadConfig()
            _ = try config.loadTemplates()
            _ = try ChannelFactory.make(config.channels, environment: ProcessInfo.processInfo.environment)
            guard !config.database.isPostgres else {
                throw CLIFailure(
                    "instances sharing PostgreSQL hold no lock file to find them by: reload each with "
                        + "`systemctl reload herald` (SIGHUP) or POST /v1/admin/reload", code: 64)
            }
            guard let pid = DaemonLock.holder(databasePath: config.database.path) else {
                throw CLIFailure("no running herald holds \(config.database.path) (nothing to reload)", code: 69)
            }
            guard kill(pid, SIGHUP) == 0 else {
                throw CLIFailure("cannot signal herald (pid \(pid)): \(String(cString: strerror(errno)))", code: 1)
            }
            print("configuration OK; asked herald (pid \(pid)) to reload")
        }
    }
}
