import ArgumentParser
import HeraldCore
import HeraldStore

struct Queue: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "What each channel has not finished: waiting, sending, given up, and how late the oldest is.",
        discussion: """
            Reads the database, so it works with the daemon down. OLDEST DUE is how long the oldest waiting \
            delivery has been due ("in 2h" when everything waiting is scheduled ahead): minutes or more while \
            the daemon runs means the channel is stuck, rate-limited or its provider keeps failing (its \
            `delivery retry` log lines say which). Dead and failed deliveries go out again with herald redrive. \
            Configured channels with nothing pending are listed with zeros.
            """)

    @OptionGroup var options: GlobalOptions
    @Flag(help: "Print as JSON.") var json = false

    func run() async throws {
        try await CLIFailure.guarding {
            let now = Timestamps.now()
            let backlog = try await options.withStore { config, store in
                var all = try await store.backlog()
                for channel in config.channels where !all.contains(where: { $0.channel == channel.name }) {
                    all.append(ChannelBacklog(channel: channel.name))
                }
                return all.sorted { $0.channel < $1.channel }
            }
            if json {
                print(JSONValue.array(backlog.map(Self.json)).canonicalText)
                return
            }
            var table = TextTable(["CHANNEL"] + ChannelBacklog.states.map { $0.rawValue.uppercased() } + ["OLDEST DUE"])
            for channel in backlog {
                table.add([channel.channel] + ChannelBacklog.states.map { String(channel.counts[$0] ?? 0) }
                    + [channel.oldestDueAt.map { Self.lateness($0, now: now) } ?? "-"])
            }
            print(backlog.isEmpty ? "no channels configured and nothing queued" : table.render())
        }
    }

    static func json(_ backlog: ChannelBacklog) -> JSONValue {
        var fields: [String: JSONValue] = ["channel": .string(backlog.channel)]
        for state in ChannelBacklog.states { fields[state.rawValue] = .int(Int64(backlog.counts[state] ?? 0)) }
        fields["oldest_due_at"] = backlog.oldestDueAt.map { .string(Timestamps.format($0)) } ?? .null
        return .object(fields)
    }

    /// `3m12s` late, or `in 2h` for a due time ahead, to the two largest units.
    static func lateness(_ due: Int64, now: Int64) -> String {
        let millis = now - due
        let seconds = abs(millis) / 1_000
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
