import ArgumentParser
import Foundation
import HeraldChannels
import HeraldCore
import HeraldDispatch

struct CheckConfig: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config",
        abstract: "Validate the configuration and channel files, resolve secrets, and print a summary.",
        discussion: "Exits 0 when the configuration is usable, 78 with file:line: reason lines when it is not.")

    @OptionGroup var options: GlobalOptions

    @Flag(help: "Print the summary as JSON.")
    var json = false

    func run() async throws {
        try await CLIFailure.guarding {
            let config = try options.loadConfig()
            do {
                _ = try ChannelFactory.make(config.channels, environment: ProcessInfo.processInfo.environment)
            } catch {
                throw CLIFailure(error)
            }
            let library = try config.loadTemplates()
            _ = try EventRelay.resolve(config.events)  // subscription secrets exist and are whsec_
            if json {
                let channels: [JSONValue] = config.channels.map {
                    .object([
                        "name": .string($0.name), "kind": .string($0.kind.rawValue),
                        "provider": .string($0.provider.rawValue), "concurrency": .int(Int64($0.concurrency)),
                        "secret": $0.secret.map { .string($0.description) } ?? .null,
                    ])
                }
                print(JSONValue.object([
                    "ok": .bool(true), "database": .string(config.database.display),
                    "listen": .string("\(config.server.host):\(config.server.port)"), "channels": .array(channels),
                    "templates": .int(Int64(library.all.count)),
                    "subscriptions": .array(config.events.declared.map { .string($0.name) }),
                ]).canonicalText)
                return
            }
            print("configuration OK")
            print("  listen     \(config.server.host):\(config.server.port)")
            print("  public     \(config.server.publicURL)")
            print("  database   \(config.database.display)")
            print("  templates  \(library.all.count) files in \(config.templates.directory) (\(library.names.count) templates)")
            print("")
            var table = TextTable("CHANNEL", "KIND", "PROVIDER", "CONCURRENCY", "SECRET")
            for c in config.channels {
                table.add(c.name, c.kind.rawValue, c.provider.rawValue, String(c.concurrency), c.secret?.description ?? "-")
            }
            print(config.channels.isEmpty ? "no channels configured (add files to channels/)" : table.render())
            if !config.events.declared.isEmpty {
                print("")
                var subs = TextTable("SUBSCRIPTION", "URL", "SECRET")
                for d in config.events.declared { subs.add(d.name, d.url, d.secret.description) }
                print(subs.render())
            }
        }
    }
}
