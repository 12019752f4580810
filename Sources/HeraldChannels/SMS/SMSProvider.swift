import HeraldCore

/// One SMS provider's request format and reply classification.
protocol SMSProvider: Sendable {
    /// The request for one text message to `to` (E.164).
    func request(to: String, text: String, claimed: ClaimedDelivery, now: Int64) throws(HeraldError)
        -> (url: String, headers: [(String, String)], body: [UInt8])
    func classify(_ response: HTTPResponse) -> DeliveryOutcome
}

extension SMSProvider {
    /// The string value of `key` in a JSON object body.
    func field(_ body: [UInt8], _ key: String) -> String? {
        guard case .object(let o)? = try? JSONValue.parse(body) else { return nil }
        switch o[key] {
        case .string(let s)?: return s
        case .int(let n)?: return String(n)
        default: return nil
        }
    }
}
