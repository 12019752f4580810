import HeraldChannels
import HeraldCore
import HeraldStore
import Hummingbird
import Logging

/// `POST /v1/bounces` (scope `admin`): a delivery status notification as the bounce mailbox received
/// it (the raw message, `message/rfc822`), for a mail server or an inbound-mail service that posts
/// what it gets; `herald bounce` does the same from a pipe.
struct BounceRoutes: Sendable {
    let store: any Store
    let logger: Logger

    func register(on router: Router<HeraldRequestContext>) {
        router.post("/v1/bounces") { request, _ in
            let buffer = try await RequestBody.bytes(request, limit: 4 << 20)
            guard let report = DSNReport.parse(Array(buffer.readableBytesView)) else {
                throw HeraldError.invalid(
                    field: "(body)", "not a delivery status report (multipart/report; report-type=delivery-status, RFC 3464)")
            }
            let outcomes = try await BounceIntake.apply(report, store: store, now: Timestamps.now())
            for outcome in outcomes where outcome.result == "bounced" {
                logger.info("delivery bounced", metadata: [
                    "delivery": "\(report.deliveryID ?? "-")", "status": "\(outcome.recipient.status)",
                ])
            }
            return JSONResponse.make(BounceIntake.json(report, outcomes))
        }
    }
}
