import ArgumentParser
import HeraldCore
import HeraldStore

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Create or upgrade the database schema, then exit.")

    @OptionGroup var options: GlobalOptions

    func run() async throws {
        try await CLIFailure.guarding {
            let path = try await options.withStore { config, _ in config.database.display }
            print("database \(path) is up to date")
        }
    }
}
