@testable import HeraldChannels
import HeraldCore
import Testing

@Suite struct BotGateTests {
    let settings = BotGate.Settings(limit: 3, window: 1_000, rateLimitedPause: 5_000, recheck: 60_000)

    private func waitTime(_ admission: ChannelAdmission) -> Int64? {
        if case .wait(let until, _) = admission { return until }
        return nil
    }

    @Test func allowsABurstOfTheLimitThenWaitsForTheFirstTokenBack() {
        let gate = BotGate(settings: settings)
        for n in 0..<3 {
            #expect(gate.admit("bot", delivery: "d\(n)", now: 0) == .proceed)
            gate.finished("bot", at: 10 + Int64(n), verdict: .accepted)
        }
        // Tokens come back one window (plus margin) after each send finished.
        #expect(waitTime(gate.admit("bot", delivery: "d3", now: 20)) == 10 + 1_000 + BotGate.margin)
        #expect(gate.admit("bot", delivery: "d3", now: 1_015) == .proceed)
    }

    @Test func waitersAreSpreadOverTheComingWindowsInOrder() {
        let gate = BotGate(settings: settings)
        for n in 0..<3 {
            _ = gate.admit("bot", delivery: "d\(n)", now: 0)
            gate.finished("bot", at: 100, verdict: .accepted)
        }
        let slots = (3..<10).compactMap { waitTime(gate.admit("bot", delivery: "d\($0)", now: 200)) }
        let back = 100 + 1_000 + BotGate.margin
        #expect(slots == [back, back, back, back + 1_000, back + 1_000, back + 1_000, back + 2_000])
        // A waiter that comes back early keeps its place ahead of later ones.
        #expect(waitTime(gate.admit("bot", delivery: "d3", now: 300)) == back)
    }

    @Test func inFlightSendsCountAgainstTheLimit() {
        let gate = BotGate(settings: settings)
        for n in 0..<3 { #expect(gate.admit("bot", delivery: "d\(n)", now: 0) == .proceed) }
        #expect(waitTime(gate.admit("bot", delivery: "d3", now: 0)) != nil)
    }

    @Test func oneBusyRobotDoesNotHoldBackAnother() {
        let gate = BotGate(settings: settings)
        for n in 0..<3 { _ = gate.admit("busy", delivery: "d\(n)", now: 0) }
        #expect(gate.admit("other", delivery: "x", now: 0) == .proceed)
    }

    @Test func aRateLimitedAnswerRestsTheRobot() {
        let gate = BotGate(settings: settings)
        _ = gate.admit("bot", delivery: "d0", now: 0)
        gate.finished("bot", at: 50, verdict: .rateLimited(pause: nil, reason: "too fast"))
        #expect(waitTime(gate.admit("bot", delivery: "d1", now: 60)) == 5_050)
        _ = gate.admit("bot2", delivery: "d0", now: 0)
        gate.finished("bot2", at: 50, verdict: .rateLimited(pause: 9_000, reason: "too fast"))
        #expect(waitTime(gate.admit("bot2", delivery: "d1", now: 60)) == 9_050)
    }

    @Test func anUnhealthyRobotWaitsThenLetsOneProbeThrough() {
        let gate = BotGate(settings: settings)
        _ = gate.admit("bad-robot-id", delivery: "d0", now: 0)
        gate.finished("bad-robot-id", at: 10, verdict: .robotRejected(reason: "token is not exist"))
        #expect(gate.problems().map(\.reason) == ["token is not exist"])
        #expect(gate.problems().first?.destination == "…bot-id")
        #expect(waitTime(gate.admit("bad-robot-id", delivery: "d1", now: 20)) == 60_010)
        #expect(gate.admit("bad-robot-id", delivery: "d1", now: 60_010) == .proceed)   // the probe
        #expect(waitTime(gate.admit("bad-robot-id", delivery: "d2", now: 60_011)) != nil) // others wait for it
        gate.finished("bad-robot-id", at: 60_020, verdict: .accepted)
        #expect(gate.problems().isEmpty)
        #expect(gate.admit("bad-robot-id", delivery: "d2", now: 60_030) == .proceed)
    }

    @Test func recentSendsFromBeforeARestartStillCount() {
        let gate = BotGate(settings: settings)
        gate.restore([
            RecentSend(destination: "bot#SECx", finishedAt: 900), RecentSend(destination: "bot", finishedAt: 950),
            RecentSend(destination: "bot", finishedAt: 960), RecentSend(destination: "bot", finishedAt: -500),
        ], now: 1_000)
        #expect(waitTime(gate.admit("bot", delivery: "d", now: 1_000)) == 900 + 1_000 + BotGate.margin)
        #expect(gate.admit("other", delivery: "d", now: 1_000) == .proceed)
    }
}

@Suite struct BotTextTests {
    @Test func shortContentIsUntouched() {
        #expect(BotText.fitted("hello", limit: 10) == "hello")
    }

    @Test(arguments: [40, 41, 42, 43, 100])
    func longContentIsCutAtACharacterBoundaryWithTheMarker(limit: Int) {
        let text = String(repeating: "数据接入", count: 30)
        let fitted = BotText.fitted(text, limit: limit)
        #expect(fitted.utf8.count <= limit)
        #expect(fitted.hasSuffix(BotText.truncationMarker))
        #expect(text.hasPrefix(String(fitted.dropLast(BotText.truncationMarker.count))))
    }

    @Test func cutsAtALineBreakWhenOneIsNearTheEnd() {
        let text = String(repeating: "a", count: 80) + "\n" + String(repeating: "b", count: 80)
        #expect(BotText.fitted(text, limit: 100) == String(repeating: "a", count: 80) + BotText.truncationMarker)
    }

    @Test func keywordIsPrependedOnlyWhenMissing() {
        #expect(BotText.withKeyword("hi", title: nil, keywords: []) == "hi")
        #expect(BotText.withKeyword("hi", title: nil, keywords: ["Acme", "CS"]) == "Acme\nhi")
        #expect(BotText.withKeyword("CS update", title: nil, keywords: ["Acme", "CS"]) == "CS update")
        #expect(BotText.withKeyword("hi", title: "Acme kickoff", keywords: ["Acme"]) == "hi")
    }
}
