import HeraldChannels
import HeraldCore
import HeraldStore

/// Applies a delivery status notification to the delivery it names (`herald bounce`, `POST
/// /v1/bounces`): each recipient that failed for good (5.x.x) fails the delivery if it went to that
/// address — a bounce that suppresses the address when the address itself was refused (5.1.x);
/// delays (4.x.x) and other actions are reported and change nothing.
public enum BounceIntake {
    public struct Outcome: Sendable, Equatable {
        public var recipient: DSNReport.Recipient
        /// `bounced`, or why nothing changed.
        public var result: String
    }

    public static func apply(_ report: DSNReport, store: any Store, now: Int64) async throws -> [Outcome] {
        var outcomes: [Outcome] = []
        for recipient in report.recipients {
            guard recipient.isPermanentFailure else {
                outcomes.append(Outcome(recipient: recipient, result: "ignored: \(recipient.action) \(recipient.status) is not a permanent failure"))
                continue
            }
            guard let deliveryID = report.deliveryID else {
                outcomes.append(Outcome(
                    recipient: recipient, result: "ignored: the report returns no Message-ID of a Herald delivery"))
                continue
            }
            var result = BounceResult.unknown
            for address in [recipient.address, recipient.originalAddress].compactMap({ $0 }) where result == .unknown {
                result = try await store.recordBounce(
                    deliveryID: deliveryID, recipient: address, addressRefused: recipient.refusesAddress, detail: recipient.detail,
                    at: now)
            }
            switch result {
            case .bounced: outcomes.append(Outcome(recipient: recipient, result: "bounced"))
            case .failed: outcomes.append(Outcome(recipient: recipient, result: "failed (the address is not suppressed)"))
            case .unchanged(let state): outcomes.append(Outcome(recipient: recipient, result: "unchanged: the delivery is \(state.rawValue)"))
            case .unknown:
                outcomes.append(Outcome(recipient: recipient, result: "ignored: delivery \(deliveryID) did not go to this address"))
            }
        }
        return outcomes
    }

    public static func json(_ report: DSNReport, _ outcomes: [Outcome]) -> JSONValue {
        .object([
            "delivery_id": RecordJSON.optional(report.deliveryID), "reporting_mta": RecordJSON.optional(report.reportingMTA),
            "recipients": .array(outcomes.map { o in
                .object([
                    "address": .string(o.recipient.address), "action": .string(o.recipient.action),
                    "status": .string(o.recipient.status), "diagnostic": RecordJSON.optional(o.recipient.diagnostic),
                    "result": .string(o.result),
                ])
            }),
        ])
    }
}
