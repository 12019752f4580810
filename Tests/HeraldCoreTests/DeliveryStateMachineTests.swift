import HeraldCore
import Testing

@Suite struct DeliveryStateMachineTests {
    /// Every allowed move, written out independently of the table in the code.
    static let expectedAllowed: Set<String> = [
        "scheduled→queued", "scheduled→sending", "scheduled→cancelled", "scheduled→expired", "scheduled→suppressed",
        "queued→sending", "queued→cancelled", "queued→expired", "queued→suppressed",
        "retrying→sending", "retrying→cancelled", "retrying→expired", "retrying→dead",
        "sending→sending", "sending→queued", "sending→sent", "sending→delivered", "sending→retrying",
        "sending→failed", "sending→dead", "sending→suppressed", "sending→cancelled",
        "sent→delivered", "sent→opened", "sent→clicked", "sent→failed",
        "delivered→opened", "delivered→clicked",
        "opened→clicked",
    ]

    static let allPairs: [(DeliveryState, DeliveryState)] = DeliveryState.allCases.flatMap { from in
        DeliveryState.allCases.map { (from, $0) }
    }

    @Test(arguments: allPairs)
    func transition(from: DeliveryState, to: DeliveryState) {
        let allowed = Self.expectedAllowed.contains("\(from.rawValue)→\(to.rawValue)")
        #expect(DeliveryStateMachine.canTransition(from: from, to: to) == allowed, "\(from) → \(to)")
        if allowed {
            #expect(throws: Never.self) { try DeliveryStateMachine.validate(from: from, to: to) }
        } else {
            #expect(throws: HeraldError.self) { try DeliveryStateMachine.validate(from: from, to: to) }
        }
    }

    @Test(arguments: DeliveryState.allCases)
    func terminalStatesHaveNoExit(state: DeliveryState) {
        let terminal: Set<DeliveryState> = [.clicked, .failed, .dead, .cancelled, .expired, .suppressed]
        #expect(state.isTerminal == terminal.contains(state))
    }

    @Test func onlySuccessfulSendsTakeEngagementThatCameWhileSending() {
        let takers = DeliveryState.allCases.filter(DeliveryStateMachine.takesEarlyEngagement)
        #expect(Set(takers) == [.sent, .delivered])
        // A click is kept over an open that comes after it; an open is replaced by a click.
        #expect(DeliveryStateMachine.furthestEngagement(kept: .clicked, new: .opened) == .clicked)
        #expect(DeliveryStateMachine.furthestEngagement(kept: .opened, new: .clicked) == .clicked)
        #expect(DeliveryStateMachine.furthestEngagement(kept: .opened, new: .opened) == .opened)
        #expect(DeliveryStateMachine.furthestEngagement(kept: nil, new: .opened) == .opened)
    }

    @Test func claimableAndCancellableStatesCanReachSendingOrCancelled() {
        for state in DeliveryState.claimable { #expect(DeliveryStateMachine.canTransition(from: state, to: .sending)) }
        for state in DeliveryState.cancellable { #expect(DeliveryStateMachine.canTransition(from: state, to: .cancelled)) }
    }

    @Test func anEnqueuedDeliveryWaitsOnlyForASendAtInTheFuture() {
        let now: Int64 = 1_700_000_000_000
        #expect(DeliveryState.onEnqueue(sendAt: nil, now: now) == .queued)
        #expect(DeliveryState.onEnqueue(sendAt: now - 1, now: now) == .queued)
        #expect(DeliveryState.onEnqueue(sendAt: now, now: now) == .queued)
        #expect(DeliveryState.onEnqueue(sendAt: now + 1, now: now) == .scheduled)
    }
}
