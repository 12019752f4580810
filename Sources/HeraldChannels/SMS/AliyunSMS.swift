import Crypto
import Foundation
import HeraldCore

/// Aliyun Dysmsapi `SendSms` (RPC, signature version 1.0): the content is an approved template
/// (`TemplateCode`) filled with `TemplateParam` (the message data, every value a string).
struct AliyunSMS: SMSProvider {
    let baseURL: String
    let accessKeyID: String
    let accessKeySecret: String
    let signName: String
    let region: String
    let templateCodes: [String: String]

    /// `Signature = base64(HMAC-SHA1(secret + "&", "POST&%2F&" + pct(sorted query)))`.
    static func sign(_ fields: [(String, String)], secret: String, method: String = "POST") -> String {
        let canonical = fields.sorted { $0.0 < $1.0 }.map { FormEncoding.percent($0.0) + "=" + FormEncoding.percent($0.1) }
            .joined(separator: "&")
        let toSign = method + "&" + FormEncoding.percent("/") + "&" + FormEncoding.percent(canonical)
        let mac = HMAC<Insecure.SHA1>.authenticationCode(for: Data(toSign.utf8), using: SymmetricKey(data: Data((secret + "&").utf8)))
        return Data(mac).base64EncodedString()
    }

    /// Aliyun numbers: mainland China without `+86`, others with the country code and no `+`.
    static func number(_ e164: String) -> String {
        e164.hasPrefix("+86") ? String(e164.dropFirst(3)) : String(e164.dropFirst())
    }

    func request(to: String, text: String, claimed: ClaimedDelivery, now: Int64) throws(HeraldError)
        -> (url: String, headers: [(String, String)], body: [UInt8])
    {
        guard let template = claimed.message.template, let code = templateCodes[template] else {
            throw .invalid(field: "template", "Aliyun sends approved templates only: map '\(claimed.message.template ?? "(inline)")' to its SMS_ code under [template_codes]")
        }
        var params: [String: JSONValue] = [:]
        if case .object(let data)? = try? JSONValue.parse(Array(claimed.message.data.utf8)) {
            for (key, value) in data {
                switch value {
                case .string(let s): params[key] = .string(s)
                case .null, .object, .array: continue
                default: params[key] = .string(value.canonicalText)
                }
            }
        }
        var fields: [(String, String)] = [
            ("AccessKeyId", accessKeyID), ("Action", "SendSms"), ("Format", "JSON"), ("OutId", claimed.delivery.id),
            ("PhoneNumbers", Self.number(to)), ("RegionId", region), ("SignName", signName),
            ("SignatureMethod", "HMAC-SHA1"), ("SignatureNonce", UUID().uuidString), ("SignatureVersion", "1.0"),
            ("TemplateCode", code), ("TemplateParam", JSONValue.object(params).canonicalText),
            ("Timestamp", Timestamps.format(now, fractionalSeconds: false)), ("Version", "2017-05-25"),
        ]
        fields.append(("Signature", Self.sign(fields, secret: accessKeySecret)))
        return (baseURL + "/", [("Content-Type", "application/x-www-form-urlencoded")], Array(FormEncoding.encode(fields).utf8))
    }

    /// Only `Code == "OK"` is accepted (its `BizId` is the provider id); `isp.SYSTEM_ERROR` and the
    /// flow controls retry after their window; the account's problems (its AccessKey, permissions,
    /// balance, a suspended or unsubscribed service) retry every 5 minutes until fixed; a number
    /// that unsubscribed from promotional texts (`isv.CUSTOMER_REFUSED`) is suppressed for
    /// marketing; number, template, signature and content errors fail. An answer without a `Code` (a proxy's page)
    /// retries when it says the request was not taken (5xx, 429 with its `Retry-After`) and fails
    /// otherwise: Aliyun answers 200 for its own errors, so a 200 without one is no proof of a send,
    /// and retrying it could text the client twice.
    func classify(_ response: HTTPResponse) -> DeliveryOutcome {
        let reply = response.jsonObject()
        guard let code = field(reply, "Code") else {
            let reason = "aliyun HTTP \(response.status): \(response.bodySnippet())"
            switch response.status {
            case 500..<600: return .retry(after: nil, reason: reason)
            case 429: return .retry(after: RetryAfter.milliseconds(response.header("retry-after"), now: Timestamps.now()), reason: reason)
            default: return .failed(reason: reason)
            }
        }
        let reason = "aliyun \(code): \(field(reply, "Message") ?? "")"
        switch code {
        case "OK": return .sent(providerID: field(reply, "BizId"))
        case "isp.SYSTEM_ERROR", "SignatureNonceUsed", "Throttling.User", "ServiceUnavailable": return .retry(after: nil, reason: reason)
        case "isv.BUSINESS_LIMIT_CONTROL": return .retry(after: 60_000, reason: reason)
        case "isv.DAY_LIMIT_CONTROL", "isv.MONTH_LIMIT_CONTROL": return .retry(after: 3_600_000, reason: reason)
        // 该手机用户已退订推广短信: the number unsubscribed from promotional texts.
        case "isv.CUSTOMER_REFUSED": return .optedOutOfMarketing(reason: reason)
        case "InvalidAccessKeyId.NotFound", "InvalidAccessKeyId.Inactive", "SignatureDoesNotMatch", "Forbidden.RAM",
            "isp.RAM_PERMISSION_DENY", "isv.OUT_OF_SERVICE", "isv.AMOUNT_NOT_ENOUGH", "InsufficientBalance",
            "isv.ACCOUNT_NOT_EXISTS", "isv.ACCOUNT_ABNORMAL", "isv.PRODUCT_UN_SUBSCRIPT", "isv.PRODUCT_UNSUBSCRIBE":
            return .retry(after: ProviderAccount.retryAfter, reason: ProviderAccount.reason(reason))
        default: return .failed(reason: reason)
        }
    }
}
