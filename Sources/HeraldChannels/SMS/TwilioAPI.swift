import Foundation
import HeraldCore

/// What Twilio's REST APIs (Messages for SMS, Calls for voice) share: basic auth with the account
/// SID and auth token, form bodies, and how a reply is classified.
enum TwilioAPI {
    /// A form POST to `/2010-04-01/Accounts/{Sid}/{resource}.json`.
    static func request(baseURL: String, accountSID: String, authToken: String, resource: String, fields: [(String, String)])
        -> (url: String, headers: [(String, String)], body: [UInt8])
    {
        let credentials = Data("\(accountSID):\(authToken)".utf8).base64EncodedString()
        return (
            baseURL + "/2010-04-01/Accounts/\(FormEncoding.percent(accountSID))/\(resource).json",
            [("Authorization", "Basic " + credentials), ("Content-Type", "application/x-www-form-urlencoded")],
            Array(FormEncoding.encode(fields).utf8)
        )
    }

    /// 2xx sent (the `SM…`/`CA…` sid is the provider id); 429 and 5xx retry (honouring
    /// `Retry-After`); the account's or the channel's own problems — authentication (401, 20003), a
    /// suspended account (20005), a `From` the account cannot send from (21210, 21212, 21606) — are
    /// no fault of the message: it waits and retries every 5 minutes until they are fixed, as SMTP
    /// authentication does. Other 4xx are permanent (21211 invalid `To`, 21610 the recipient sent
    /// STOP — the SMS channel suppresses the number, see `TwilioSMS` —, 21614 not a mobile number).
    static func classify(_ response: HTTPResponse) -> DeliveryOutcome {
        let reply = response.jsonObject()
        func field(_ key: String) -> String? {
            switch reply?[key] {
            case .string(let s)?: s
            case .int(let n)?: String(n)
            default: nil
            }
        }
        if (200..<300).contains(response.status) {
            return .sent(providerID: field("sid"))
        }
        let code = field("code").map { " \($0)" } ?? ""
        let reason = "twilio HTTP \(response.status)\(code): " + (field("message") ?? response.bodySnippet())
        if response.status == 401 || ["20003", "20005", "21210", "21212", "21606"].contains(field("code") ?? "") {
            return .retry(after: ProviderAccount.retryAfter, reason: ProviderAccount.reason(reason))
        }
        switch response.status {
        case 429, 500..<600: return .retry(after: RetryAfter.milliseconds(response.header("retry-after"), now: Timestamps.now()), reason: reason)
        default: return .failed(reason: reason)
        }
    }
}
