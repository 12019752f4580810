import ArgumentParser
import HeraldCore
import HeraldServer
import HeraldStore

struct Queue: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "What each channel has not finished: waiting, sending, given up, and how long the oldest have waited.",
        discussion: """
            Reads the database, so it works with the daemon down. OLDEST DUE is how long the oldest waiting \
            delivery has been due ("in 2h" when everything waiting is scheduled ahead): minutes or more while \
            the daemon runs means the channel is stuck, rate-limited or its provider keeps failing (its \
            `delivery retry` log lines say which). SENDING SINCE is how long ago the longest-claimed delivery \
            still sending was claimed: minutes means a slow endpoint holds the channel's workers. Dead and \
            failed deliveries go out again with herald redrive. Configured channels with nothing pending are listed with zeros. The same over HTTP: GET /v1/queue.
            """)

    @OptionGroup var options: GlobalOptions
    @Flag(help: "Print as JSON.") var json = false

    func run() async throws {
        try await CLIFailure.guarding {
            let now = Timestamps.now()
            let backlog = try await options.withStore { config, store in
                ChannelBacklog.including(config.channels.map(\.name), try await store.backlog())
            }
            if json {
                print(JSONValue.array(backlog.map(BacklogJSON.channel)).canonicalText)
                return
            }
            var table = TextTable(["CHANNEL"] + ChannelBacklog.states.map { $0.rawValue.uppercased() } + ["OLDEST DUE", "SENDING SINCE"])
            for channel in backlog {
                let counts: [String] = ChannelBacklog.states.map { String(channel.counts[$0] ?? 0) }
                let due: String = channel.oldestDueAt.map { Self.lateness($0, now: now) } ?? "-"
                let sending: String = channel.oldestSendingSince.map { Self.lateness($0, now: now) } ?? "-"
                table.add([channel.channel] + counts + [due, sending])
            }
            print(backlog.isEmpty ? "no channels configured and nothing queued" : table.render())
        }
    }

    /// `3m12s` late, or `in 2h` for a due time ahead, to the two largest units.
    static func lateness(_ due: Int64, now: Int64) -> String {
        let millis = now - due
        let seconds = millis.magnitude / 1_000
        let text: String
        switch seconds {
        case ..<60: text = "\(seconds)s"
        case ..<3_600: text = "\(seconds / 60)m\(seconds % 60)s"
        case ..<86_400: text = "\(seconds / 3_600)h\(seconds % 3_600 / 60)m"
        default: text = "\(seconds / 86_400)d\(seconds % 86_400 / 3_600)h"
        }
        return millis >= 0 ? text : "in \(text)"
    }
}
