import ArgumentParser
import Foundation
import HeraldCore
import HeraldDispatch
import HeraldServer
import HeraldStore

/// `herald digest`: the CSMs' morning email (`[digest]`) now, or a look at what it would say.
struct Digest: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Send today's CSM digests now (calls due, clients waiting, failed deliveries), or preview them.",
        discussion: """
            The daemon sends them itself at [digest] at; this sends or previews them by hand. Each CSM gets one \
            digest a day: a second run says "already sent". Works with [digest] unset (its defaults: UTC, \
            the first email channel).
            """)

    @OptionGroup var options: GlobalOptions
    @Option(help: "Only this CSM (email).") var csm: String?
    @Flag(help: "Show what each digest would hold; send nothing.") var dryRun = false
    @Flag(help: "Print as JSON.") var json = false

    func run() async throws {
        try await CLIFailure.guarding {
            let now = Timestamps.now()
            let (settings, outcomes) = try await options.withStore { config, store in
                let settings = config.digest ?? DigestSettings()
                let digest = CSMDigest(config: config, store: store, renderer: MessageRenderer(library: try config.loadTemplates()), settings: settings)
                return (settings, try await digest.send(now: now, csm: csm, dryRun: dryRun))
            }
            if json {
                print(DigestJSON.result(day: settings.day(of: now), dryRun: dryRun, outcomes).canonicalText)
                return
            }
            var table = TextTable("CSM", "CLIENTS", "CALLS DUE", "WAITING", "FAILED", "DIGEST")
            for (r, outcome) in outcomes {
                let status: String
                switch outcome {
                case .sent(let id): status = "sent \(id)"
                case .wouldSend: status = "would send"
                case .alreadySent(let id): status = "already sent today (\(id))"
                case .nothingToReport: status = "nothing to report"
                case .notSent(let why): status = "not sent: \(TextTable.clipped(why))"
                }
                table.add(r.email, String(r.clients.count), String(r.taskTotal), String(r.attention.count), String(r.failureTotal), status)
            }
            print(outcomes.isEmpty ? "no client has a CSM with an email" : table.render())
            if outcomes.contains(where: { if case .notSent = $0.1 { true } else { false } }) { throw ExitCode(1) }
        }
    }
}
