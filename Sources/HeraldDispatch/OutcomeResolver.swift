import HeraldCore
import HeraldStore

/// Turns an attempt's outcome into the delivery's next state with the retry policy applied; a
/// retry that would fall inside the client's quiet hours waits for them to end, as the message
/// itself would have been held.
struct OutcomeResolver: Sendable {
    let retry: any RetryPolicy

    func resolve(_ report: AttemptReport, createdAt: Int64, now: Int64, quiet: QuietWindow? = nil) -> DeliveryResult {
        switch report.outcome {
        case .sent(let providerID):
            return DeliveryResult(report: report, newState: .sent, nextDueAt: nil, error: nil, providerID: providerID)
        case .failed(let reason), .bounced(let reason), .optedOut(let reason), .optedOutOfMarketing(let reason):
            return DeliveryResult(report: report, newState: .failed, nextDueAt: nil, error: reason, providerID: nil)
        case .retry(let after, let reason):
            switch retry.decide(attempt: report.number, retryAfter: after, firstQueuedAt: createdAt, now: now) {
            case .retry(let at):
                let due = quiet?.release(at: at) ?? at
                if due > at, let why = retry.refusesWait(until: due, firstQueuedAt: createdAt) {
                    return DeliveryResult(
                        report: report, newState: .dead, nextDueAt: nil, error: "\(reason); \(why)", providerID: nil)
                }
                return DeliveryResult(report: report, newState: .retrying, nextDueAt: due, error: reason, providerID: nil)
            case .giveUp(let why):
                return DeliveryResult(
                    report: report, newState: .dead, nextDueAt: nil, error: "\(reason); \(why)", providerID: nil)
            }
        }
    }
}
