import ArgumentParser
import HeraldCore
import HeraldStore

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Create or upgrade the database schema, then exit.")

    @OptionGroup var options: GlobalOptions

    func run() async throws {
        try await CLIFailure.guarding {
            let config = try options.loadConfig()
            let store = try SQLiteStore(path: config.database.path, busyTimeout: config.database.busyTimeout)
            try await store.migrate()
            try await store.close()
            print("database \(config.database.path) is up to date")
        }
    }
}
