import ArgumentParser
import Foundation
import HeraldServer
import Metrics
import Prometheus

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the daemon: HTTP API and dispatcher, until SIGTERM or SIGINT (then drain and exit 0).")

    @OptionGroup var options: GlobalOptions

    func run() async throws {
        // A SIGHUP before the reload service listens (during migrations) must not end the process.
        signal(SIGHUP, SIG_IGN)
        try await CLIFailure.guarding {
            let config = try options.loadConfig()
            let logger = options.makeLogger()
            let environment = ProcessInfo.processInfo.environment
            // Before anything makes a metric handle: handles made earlier would not be exported.
            let registry = PrometheusCollectorRegistry()
            MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
            let app = try await HeraldApplication(
                config: config, configPath: options.config, environment: environment, logger: logger, metrics: registry)
            try await app.run(benchEndpoints: environment["HERALD_BENCH_ENDPOINTS"] == "1")
        }
    }
}
