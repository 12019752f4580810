import HeraldCore

/// One SMS provider's request format and reply classification.
protocol SMSProvider: Sendable {
    /// The request for one text message to `to` (E.164).
    func request(to: String, text: String, claimed: ClaimedDelivery, now: Int64) throws(HeraldError)
        -> (url: String, headers: [(String, String)], body: [UInt8])
    func classify(_ response: HTTPResponse) -> DeliveryOutcome
}

extension SMSProvider {
    /// The text of `key` in a parsed body (numbers as their digits).
    func field(_ object: [String: JSONValue]?, _ key: String) -> String? {
        switch object?[key] {
        case .string(let s)?: return s
        case .int(let n)?: return String(n)
        default: return nil
        }
    }
}
