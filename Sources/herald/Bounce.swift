import ArgumentParser
import Foundation
import HeraldChannels
import HeraldCore
import HeraldServer
import HeraldStore

struct Bounce: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Apply a bounce report (a DSN) that arrived at the bounce address.",
        discussion: """
            Reads one email — a delivery status notification (RFC 3464) — from FILE or standard input, as a mail \
            server's pipe delivers it (Postfix: a pipe transport for the bounce address running herald bounce). \
            Each recipient that failed for good (5.x.x) fails the delivery its returned Message-ID names: a \
            bounced event, the address suppressed, the fallback started. Delays and anything that is not a \
            report change nothing and exit 0, so the mail server never bounces a bounce; exit 75 when the \
            database cannot be reached (the mail server tries again later).
            """)
    @OptionGroup var options: GlobalOptions
    @Argument(help: "The message file (default: standard input).") var file: String?
    @Flag(help: "Print the outcome as JSON (the same shape as POST /v1/bounces).") var json = false

    func run() async throws {
        try await CLIFailure.guarding {
            let raw: Data
            if let file {
                guard let data = FileManager.default.contents(atPath: file) else { throw CLIFailure("cannot read \(file)", code: 66) }
                raw = data
            } else {
                raw = FileHandle.standardInput.readDataToEndOfFile()
            }
            guard let report = DSNReport.parse(Array(raw)) else {
                print(json ? #"{"delivery_id":null,"recipients":[],"reporting_mta":null}"# : "not a delivery status report: nothing to do")
                return
            }
            let outcomes: [BounceIntake.Outcome]
            do {
                outcomes = try await options.withStore { _, store in try await BounceIntake.apply(report, store: store, now: Timestamps.now()) }
            } catch {
                // Anything but a configuration error is worth the mail server's retry.
                let failure = CLIFailure(error)
                throw failure.code == 78 ? failure : CLIFailure(failure.message + " (try again later)", code: 75)
            }
            if json {
                print(BounceIntake.json(report, outcomes).canonicalText)
                return
            }
            for o in outcomes {
                print("\(o.recipient.address) \(o.recipient.status) (\(report.deliveryID ?? "no delivery")): \(o.result)")
            }
        }
    }
}
