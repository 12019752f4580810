import HeraldCore

/// A channel's backlog as `GET /v1/queue` and `herald queue --json` print it: every counted state
/// with its number (zeros included), the oldest waiting due time and the oldest claim still sending.
public enum BacklogJSON {
    public static func channel(_ backlog: ChannelBacklog) -> JSONValue {
        var fields: [String: JSONValue] = ["channel": .string(backlog.channel)]
        for state in ChannelBacklog.states { fields[state.rawValue] = .int(Int64(backlog.counts[state] ?? 0)) }
        fields["oldest_due_at"] = backlog.oldestDueAt.map { .string(Timestamps.format($0)) } ?? .null
        fields["oldest_sending_since"] = backlog.oldestSendingSince.map { .string(Timestamps.format($0)) } ?? .null
        return .object(fields)
    }
}
