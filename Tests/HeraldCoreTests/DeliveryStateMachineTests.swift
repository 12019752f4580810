import HeraldCore
import Testing

@Suite struct DeliveryStateMachineTests {
    /// Every allowed move, written out independently of the table in the code.
    static let expectedAllowed: Set<String> = [
        "scheduled→queued", "scheduled→sending", "scheduled→cancelled", "scheduled→expired", "scheduled→suppressed",
        "queued→sending", "queued→cancelled", "queued→expired", "queued→suppressed",
        "retrying→sending", "retrying→cancelled", "retrying→expired", "retrying→dead",
        "sending→sending", "sending→queued", "sending→sent", "sending→delivered", "sending→retrying",
        "sending→failed", "sending→dead", "sending→suppressed",
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

    @Test func claimableAndCancellableStatesCanReachSendingOrCancelled() {
        for state in DeliveryState.claimable { #expect(DeliveryStateMachine.canTransition(from: state, to: .sending)) }
        for state in DeliveryState.cancellable { #expect(DeliveryStateMachine.canTransition(from: state, to: .cancelled)) }
    }
}
