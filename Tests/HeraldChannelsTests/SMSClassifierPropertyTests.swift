import HeraldCore
import PropertyBased
import Testing

@testable import HeraldChannels

/// Any answer an SMS provider (or something in front of it) can give — any status, a JSON body
/// with any code and message, or bytes that are not JSON — is classified by the providers' rules:
/// never a crash, a text is never sent twice on an ambiguous answer, and the reason is safe to show.
@Suite struct SMSClassifierPropertyTests {
    static let twilio = TwilioSMS(baseURL: "", accountSID: "AC1", authToken: "t", from: "+1", messagingServiceSID: nil, statusCallback: nil)
    static let aliyun = AliyunSMS(baseURL: "", accessKeyID: "k", accessKeySecret: "s", signName: "A", region: "r", templateCodes: [:])

    static let status = Gen<Int>.oneOf(Gen.int(in: 100...599), Gen.element(of: [200, 201, 400, 401, 404, 429, 500, 502, 503]).compactMap { $0 })
    static let words = Gen<Character>.oneOf(
        Gen.character(in: " "..."~"), Gen.character(in: "一"..."龥"), Gen.character(in: "\u{0}"..."\u{1F}"), Gen.character(in: "\u{80}"..."\u{9F}")
    ).string(of: 0...80)
    static let code = Gen<String>.oneOf(
        Gen.element(of: ["OK", "isp.SYSTEM_ERROR", "isv.BUSINESS_LIMIT_CONTROL", "isv.MOBILE_NUMBER_ILLEGAL", "isv.CUSTOMER_REFUSED", "21610", "21211", "20003"])
            .compactMap { $0 },
        words)

    /// A body: JSON with a code and a message (each key in both spellings), or raw text.
    static let body = Gen<[UInt8]>.oneOf(
        zip(code, words, Gen.bool).map { code, message, numeric in
            let codeValue: JSONValue = numeric ? .int(Int64(code.hashValue % 100_000)) : .string(code)
            return Array(JSONValue.object([
                "Code": codeValue, "code": codeValue, "Message": .string(message), "message": .string(message),
                "sid": .string("SM" + message.prefix(8)), "BizId": .string("9^" + message.prefix(4)),
            ]).canonicalText.utf8)
        },
        words.map { Array($0.utf8) })

    static func reason(_ outcome: DeliveryOutcome) -> String? {
        switch outcome {
        case .sent: nil
        case .retry(_, let r), .failed(let r), .bounced(let r), .optedOut(let r), .optedOutOfMarketing(let r): r
        }
    }

    @Test func anyTwilioAnswerFollowsTheRules() async {
        await propertyCheck(count: 500, input: Self.status, Self.body) { status, body in
            let outcome = Self.twilio.classify(HTTPResponse(status: status, headers: [], body: body))
            switch status {
            case 200..<300:
                // Twilio took it, whatever the body says: never retried (that would text twice).
                guard case .sent = outcome else { Issue.record("2xx must be sent: \(outcome)"); return }
            case 429, 500..<600:
                guard case .retry = outcome else { Issue.record("\(status) must retry: \(outcome)"); return }
            default:
                if case .sent = outcome { Issue.record("\(status) cannot be sent") }
            }
            if let reason = Self.reason(outcome.displayable) {
                #expect(!reason.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) })
            }
        }
    }

    @Test func anyAliyunAnswerFollowsTheRules() async {
        await propertyCheck(count: 500, input: Self.status, Self.body) { status, body in
            let response = HTTPResponse(status: status, headers: [], body: body)
            let outcome = Self.aliyun.classify(response)
            let code: String? = {
                switch response.jsonObject()?["Code"] {
                case .string(let c)?: c
                case .int(let n)?: String(n)
                default: nil
                }
            }()
            switch code {
            case "OK"?:
                guard case .sent = outcome else { Issue.record("Code OK must be sent: \(outcome)"); return }
            case nil:
                // No Code: only a page that says the request was not taken retries; nothing is sent.
                if case .sent = outcome { Issue.record("an answer without a Code cannot be sent") }
                if status == 429 || status >= 500 {
                    guard case .retry = outcome else { Issue.record("\(status) without a Code must retry: \(outcome)"); return }
                } else if case .retry = outcome {
                    Issue.record("\(status) without a Code must not retry (a second text): \(outcome)")
                }
            case "isv.CUSTOMER_REFUSED"?:
                guard case .optedOutOfMarketing = outcome else { Issue.record("a refusal must opt out of marketing: \(outcome)"); return }
            default:
                if case .sent = outcome { Issue.record("Code \(code ?? "") cannot be sent") }
                if case .optedOutOfMarketing = outcome { Issue.record("only isv.CUSTOMER_REFUSED opts out: \(outcome)") }
            }
        }
    }
}
