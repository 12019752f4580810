import Foundation
import HeraldCore

/// Twilio Messages API: `POST /2010-04-01/Accounts/{Sid}/Messages.json`, basic auth, form body
/// with `To`, `From` (or `MessagingServiceSid`), `Body` and `StatusCallback`.
struct TwilioSMS: SMSProvider {
    let baseURL: String
    let accountSID: String
    let authToken: String
    let from: String?
    let messagingServiceSID: String?
    /// `<public_url>/callbacks/twilio`, or nil for no receipts. Each message's callback adds
    /// `?delivery=<id>`: Twilio signs the whole URL, so the receipt names its delivery authentically
    /// and is found by primary key.
    let statusCallback: String?

    func request(to: String, text: String, claimed: ClaimedDelivery, now: Int64) throws(HeraldError)
        -> (url: String, headers: [(String, String)], body: [UInt8])
    {
        var fields = [("To", to), ("Body", text)]
        if let messagingServiceSID { fields.append(("MessagingServiceSid", messagingServiceSID)) } else if let from {
            fields.append(("From", from))
        }
        if let statusCallback { fields.append(("StatusCallback", statusCallback + "?delivery=" + claimed.delivery.id)) }
        let credentials = Data("\(accountSID):\(authToken)".utf8).base64EncodedString()
        return (
            baseURL + "/2010-04-01/Accounts/\(FormEncoding.percent(accountSID))/Messages.json",
            [("Authorization", "Basic " + credentials), ("Content-Type", "application/x-www-form-urlencoded")],
            Array(FormEncoding.encode(fields).utf8)
        )
    }

    /// 2xx sent (the `SM…` sid is the provider id); 429 and 5xx retry; other 4xx are permanent
    /// (21211 invalid `To`, 21610 the recipient sent STOP, 20003 authentication).
    func classify(_ response: HTTPResponse) -> DeliveryOutcome {
        let reply = response.jsonObject()
        if (200..<300).contains(response.status) {
            return .sent(providerID: field(reply, "sid"))
        }
        let code = field(reply, "code").map { " \($0)" } ?? ""
        let reason = "twilio HTTP \(response.status)\(code): " + (field(reply, "message") ?? response.bodySnippet())
        switch response.status {
        case 429, 500..<600: return .retry(after: RetryAfter.milliseconds(response.header("retry-after"), now: Timestamps.now()), reason: reason)
        default: return .failed(reason: reason)
        }
    }
}
