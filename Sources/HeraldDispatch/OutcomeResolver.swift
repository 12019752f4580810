import HeraldCore
import HeraldStore

/// Turns an attempt's outcome into the delivery's next state with the retry policy applied.
struct OutcomeResolver: Sendable {
    let retry: any RetryPolicy

    func resolve(_ report: AttemptReport, createdAt: Int64, now: Int64) -> DeliveryResult {
        switch report.outcome {
        case .sent(let providerID):
            return DeliveryResult(report: report, newState: .sent, nextDueAt: nil, error: nil, providerID: providerID)
        case .failed(let reason), .bounced(let reason):
            return DeliveryResult(report: report, newState: .failed, nextDueAt: nil, error: reason, providerID: nil)
        case .retry(let after, let reason):
            switch retry.decide(attempt: report.number, retryAfter: after, firstQueuedAt: createdAt, now: now) {
            case .retry(let at):
                return DeliveryResult(report: report, newState: .retrying, nextDueAt: at, error: reason, providerID: nil)
            case .giveUp(let why):
                return DeliveryResult(
                    report: report, newState: .dead, nextDueAt: nil, error: "\(reason); \(why)", providerID: nil)
            }
        }
    }
}
