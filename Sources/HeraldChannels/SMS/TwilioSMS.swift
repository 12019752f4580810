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
        return TwilioAPI.request(baseURL: baseURL, accountSID: accountSID, authToken: authToken, resource: "Messages", fields: fields)
    }

    /// As every Twilio reply (``TwilioAPI/classify(_:)``), except 21610: the recipient replied STOP
    /// to this sender. The delivery fails (its fallback goes on) and the number is suppressed on
    /// this channel, so later texts are not even tried; calls and email to the contact still go.
    func classify(_ response: HTTPResponse) -> DeliveryOutcome {
        let outcome = TwilioAPI.classify(response)
        guard case .failed(let reason) = outcome else { return outcome }
        switch response.jsonObject()?["code"] {
        case .int(21610)?, .string("21610")?: return .optedOut(reason: reason)
        default: return outcome
        }
    }
}
