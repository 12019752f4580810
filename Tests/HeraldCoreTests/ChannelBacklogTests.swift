import HeraldCore
import Testing

@Suite struct ChannelBacklogTests {
    @Test func rowsFoldIntoOneBacklogPerChannelWithTheOldestWaitingDueTime() {
        let folded = ChannelBacklog.fold([
            (channel: "webhook", state: "queued", count: 3, oldest: 500),
            (channel: "email", state: "scheduled", count: 2, oldest: 9_000),
            (channel: "webhook", state: "retrying", count: 1, oldest: 200),
            (channel: "webhook", state: "dead", count: 4, oldest: 10),   // given up: its due time is no lateness
            (channel: "email", state: "sending", count: 1, oldest: 7_000),    // claimed at 7,000
            (channel: "email", state: "no-such-state", count: 7, oldest: 1),
            (channel: "sms", state: "failed", count: 0, oldest: nil),
        ])
        #expect(folded == [
            ChannelBacklog(channel: "email", counts: [.scheduled: 2, .sending: 1], oldestDueAt: 9_000, oldestSendingSince: 7_000),
            ChannelBacklog(channel: "webhook", counts: [.queued: 3, .retrying: 1, .dead: 4], oldestDueAt: 200),
        ])
    }

    @Test func configuredChannelsWithNothingPendingAreListedAsZeros() {
        let pending = [ChannelBacklog(channel: "webhook", counts: [.dead: 3])]
        let all = ChannelBacklog.including(["sms", "webhook", "email", "sms"], pending)
        #expect(all == [ChannelBacklog(channel: "email"), ChannelBacklog(channel: "sms"), pending[0]])
        // A channel no longer configured but with deliveries left stays listed.
        #expect(ChannelBacklog.including([], pending) == pending)
    }
}
