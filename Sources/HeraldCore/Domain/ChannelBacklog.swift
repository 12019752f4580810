/// What one channel has not finished: deliveries waiting (scheduled, queued, retrying), in flight
/// (sending) and given up (dead, failed), how long the oldest waiting one has been due and since when
/// the oldest in flight has been sending. What an
/// operator reads first when a channel looks stuck (`herald queue`).
public struct ChannelBacklog: Sendable, Equatable {
    public var channel: String
    /// Deliveries per state; only the states above appear, and only with a count.
    public var counts: [DeliveryState: Int]
    /// The earliest `due_at` (epoch ms) of the waiting deliveries; nil when none wait.
    public var oldestDueAt: Int64?
    /// When the longest-claimed delivery still `sending` was claimed (epoch ms); nil when none is.
    /// Minutes ago while the daemon runs: a slow endpoint holds the channel's workers.
    public var oldestSendingSince: Int64?

    /// The states a backlog counts, in the order an operator reads them.
    public static let states: [DeliveryState] = DeliveryState.claimable + [.sending, .dead, .failed]

    public init(channel: String, counts: [DeliveryState: Int] = [:], oldestDueAt: Int64? = nil, oldestSendingSince: Int64? = nil) {
        self.channel = channel
        self.counts = counts
        self.oldestDueAt = oldestDueAt
        self.oldestSendingSince = oldestSendingSince
    }

    /// `backlog` with an empty entry for each of `channels` it lacks (a configured channel with
    /// nothing pending shows as zeros), ordered by channel name.
    public static func including(_ channels: [String], _ backlog: [ChannelBacklog]) -> [ChannelBacklog] {
        var all = backlog
        for name in Set(channels) where !backlog.contains(where: { $0.channel == name }) {
            all.append(ChannelBacklog(channel: name))
        }
        return all.sorted { $0.channel < $1.channel }
    }

    /// Folds `(channel, state, count, oldest)` rows, as the stores read them, into one backlog per
    /// channel, ordered by channel name. `oldest` is the earliest due time for waiting states and
    /// the earliest claim (`updated_at`) for `sending`.
    public static func fold(_ rows: [(channel: String, state: String, count: Int, oldest: Int64?)]) -> [ChannelBacklog] {
        var byChannel: [String: ChannelBacklog] = [:]
        for row in rows {
            guard let state = DeliveryState(rawValue: row.state), row.count > 0 else { continue }
            var backlog = byChannel[row.channel] ?? ChannelBacklog(channel: row.channel)
            backlog.counts[state, default: 0] += row.count
            if let time = row.oldest {
                if DeliveryState.claimable.contains(state) {
                    backlog.oldestDueAt = min(backlog.oldestDueAt ?? time, time)
                } else if state == .sending {
                    backlog.oldestSendingSince = min(backlog.oldestSendingSince ?? time, time)
                }
            }
            byChannel[row.channel] = backlog
        }
        return byChannel.values.sorted { $0.channel < $1.channel }
    }
}
