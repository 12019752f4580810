import ArgumentParser
import HeraldCore
import HeraldServer
import HeraldStore

struct Erase: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Erase a person from the history: their email addresses and phone numbers (a data-subject request).",
        discussion: """
            Every delivery to the addresses shows (erased) as its destination; the messages sent to them lose their \
            content (subject, text, HTML, data) and what of them has not been sent is cancelled; attempt errors, event \
            details, call tasks, escalations and event notices that name them are redacted; the contacts holding them \
            are removed. Counts, states and times stay, so statistics still add up. A suppression entry of an address \
            is kept (it stops Herald writing there again); remove it with herald suppressions remove if the request \
            asks for that too. Backups and exports made before keep the data. Written to the audit log without the \
            addresses: give --reason (a ticket number) to find it there. The same as POST /v1/erasures.
            """)

    @OptionGroup var options: GlobalOptions
    @Argument(help: "The person's email addresses and E.164 phone numbers.") var addresses: [String]
    @Option(help: "Why (a ticket number): kept in the audit log.") var reason: String?
    @Flag(help: "Only count what would be erased.") var dryRun = false
    @Flag(help: "Print the answer as JSON (the API's shape).") var json = false

    func run() async throws {
        try await CLIFailure.guarding {
            let request = try Erasure.Request.parse(
                addresses: addresses, reason: reason, dryRun: dryRun, actor: GlobalOptions.actor, now: Timestamps.now())
            let result = try await options.withStore { _, store in try await store.erasePerson(request) }
            if json {
                print(ErasureJSON.result(result, dryRun: dryRun).canonicalText)
                return
            }
            print((dryRun ? "would erase: " : "erased: ") + result.summary)
            if !result.stillSuppressed.isEmpty {
                print("still on the suppression list (so nothing is sent there again): " + result.stillSuppressed.joined(separator: ", "))
            }
        }
    }
}
