@testable import HeraldChannels
import HeraldCore
import Testing

@Suite struct SMSRateLimitTests {
    private func channel(limit: Int?, window: Int64 = 1_000, scope: SMSSettings.RateScope = .recipient) throws -> SMSChannel {
        var config = ChannelConfig(name: "sms", kind: .sms, provider: .twilio)
        var settings = SMSSettings(provider: .twilio)
        settings.accountID = "AC1"
        settings.from = "+14155550100"
        settings.rateLimit = limit
        settings.rateWindow = window
        settings.rateScope = scope
        config.sms = settings
        return try SMSChannel(config: config, credential: "token", publicURL: nil)
    }

    private func claimed(_ id: String, to number: String) -> ClaimedDelivery {
        claimedDelivery(id: id, channel: "sms", to: number)
    }

    @Test func withoutALimitEveryTextProceeds() throws {
        let sms = try channel(limit: nil)
        for n in 0..<50 { #expect(sms.admit(claimed("\(n)", to: "+8613800138000"), now: 0) == .proceed) }
        #expect(sms.rateLimit == nil && sms.rateWindow == nil && sms.rateKey(claimed("x", to: "+1")) == nil)
    }

    @Test func eachRecipientHasItsOwnAllowance() throws {
        let sms = try channel(limit: 2)
        let gate = try #require(sms.gate)
        #expect(sms.admit(claimed("a1", to: "+8613800138000"), now: 0) == .proceed)
        #expect(sms.admit(claimed("a2", to: "+8613800138000"), now: 0) == .proceed)
        gate.finished(sms.limitKey("+8613800138000"), at: 10)
        gate.finished(sms.limitKey("+8613800138000"), at: 20)
        guard case .wait(let until, let reason) = sms.admit(claimed("a3", to: "+8613800138000"), now: 30) else {
            Issue.record("a third text within the window must wait")
            return
        }
        #expect(until == 10 + 1_000 + RateBucket.margin)
        #expect(reason == "rate limit of number +86138****8000: 2 per 1s")
        #expect(!reason.contains("13800138000"))
        // Another number is not held back.
        #expect(sms.admit(claimed("b1", to: "+14155550123"), now: 30) == .proceed)
        // The one that waited goes through once a token is back.
        #expect(sms.admit(claimed("a3", to: "+8613800138000"), now: until) == .proceed)
    }

    @Test func aSenderWideLimitCountsEveryNumberTogether() throws {
        let sms = try channel(limit: 2, scope: .sender)
        #expect(sms.admit(claimed("1", to: "+8613800138000"), now: 0) == .proceed)
        #expect(sms.admit(claimed("2", to: "+14155550123"), now: 0) == .proceed)
        guard case .wait(_, let reason) = sms.admit(claimed("3", to: "+447700900123"), now: 0) else {
            Issue.record("the sender's allowance is spent")
            return
        }
        #expect(reason == "rate limit of sender +14155550100: 2 per 1s")
        #expect(sms.rateKey(claimed("3", to: "+447700900123")) == sms.rateKey(claimed("4", to: "+8613800138000")))
    }

    @Test func sharedKeysNameTheChannelAndTheNumber() throws {
        let sms = try channel(limit: 5)
        #expect(sms.rateKey(claimed("1", to: "+8613800138000")) == "sms:sms:to:+8613800138000")
        #expect(sms.rateLimit == 5 && sms.rateWindow == 1_000)
    }

    @Test func aWithdrawnAdmissionGivesTheTokenBack() throws {
        let sms = try channel(limit: 1)
        #expect(sms.admit(claimed("1", to: "+8613800138000"), now: 0) == .proceed)
        sms.withdraw(claimed("1", to: "+8613800138000"))
        #expect(sms.admit(claimed("2", to: "+8613800138000"), now: 0) == .proceed)
    }

    @Test func sendsBeforeARestartStillCount() throws {
        let sms = try channel(limit: 2)
        sms.restore(
            recentSends: [
                RecentSend(destination: "+8613800138000", finishedAt: 900),
                RecentSend(destination: "+8613800138000", finishedAt: 950),
                RecentSend(destination: "+14155550123", finishedAt: -500),   // out of the window already
            ], now: 1_000)
        guard case .wait(let until, _) = sms.admit(claimed("1", to: "+8613800138000"), now: 1_000) else {
            Issue.record("two restored sends fill the window")
            return
        }
        #expect(until == 900 + 1_000 + RateBucket.margin)
        #expect(sms.admit(claimed("2", to: "+14155550123"), now: 1_000) == .proceed)
    }

    @Test func numbersAreMaskedInTheMiddle() {
        #expect(SMSChannel.masked("+8613800138000") == "+86138****8000")
        #expect(SMSChannel.masked("+14155550130") == "+141****0130")
        #expect(SMSChannel.masked("+1234567") == "+1****")
    }
}
