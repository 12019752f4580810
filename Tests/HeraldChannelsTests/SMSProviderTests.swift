import Foundation
@testable import HeraldChannels
import HeraldCore
import Testing

@Suite struct SMSProviderTests {
    /// Computed with Python (urllib.parse.quote, hmac, sha1) from Aliyun's documented algorithm.
    @Test func aliyunSignatureMatchesTheDocumentedAlgorithm() {
        let fields = [
            ("AccessKeyId", "testid"), ("Action", "SendSms"), ("Format", "JSON"), ("PhoneNumbers", "13800138000"),
            ("SignName", "阿里云"), ("Timestamp", "2017-07-12T02:42:19Z"), ("TemplateParam", #"{"code":"1234"}"#),
        ]
        #expect(AliyunSMS.sign(fields, secret: "testsecret") == "uT/5p0XFd/rNvK8uEmmOFJ1Wlh8=")
    }

    @Test func percentEncodingIsRFC3986() {
        #expect(FormEncoding.percent("a b*~-_.+/中") == "a%20b%2A~-_.%2B%2F%E4%B8%AD")
        #expect(FormEncoding.decode(Array("To=%2B1415&Body=hello+world&x".utf8)).map { "\($0.0)=\($0.1)" }
            == ["To=+1415", "Body=hello world", "x="])
    }

    @Test func aliyunNumbersDropThePlus() {
        #expect(AliyunSMS.number("+8613800138000") == "13800138000")
        #expect(AliyunSMS.number("+14155550100") == "14155550100")
    }

    @Test func providerRepliesAreClassified() {
        let twilio = TwilioSMS(baseURL: "", accountSID: "AC1", authToken: "t", from: "+1", messagingServiceSID: nil, statusCallback: nil)
        func reply(_ status: Int, _ body: String) -> HTTPResponse { HTTPResponse(status: status, headers: [], body: Array(body.utf8)) }
        #expect(twilio.classify(reply(201, #"{"sid":"SM1","status":"queued"}"#)) == .sent(providerID: "SM1"))
        #expect(twilio.classify(reply(400, #"{"code":21211,"message":"bad To"}"#)) == .failed(reason: "twilio HTTP 400 21211: bad To"))
        // A STOP reply is an opt-out (suppressed on this channel), not a plain failure; a 21610 in
        // another place of the reply is not.
        #expect(twilio.classify(reply(400, #"{"code":21610,"message":"Attempt to send to unsubscribed recipient"}"#))
            == .optedOut(reason: "twilio HTTP 400 21610: Attempt to send to unsubscribed recipient"))
        #expect(twilio.classify(reply(400, #"{"code":21211,"message":"not 21610"}"#)) == .failed(reason: "twilio HTTP 400 21211: not 21610"))
        guard case .retry = twilio.classify(reply(429, #"{"code":20429,"message":"Too Many Requests"}"#)) else {
            Issue.record("429 must retry")
            return
        }
        let aliyun = AliyunSMS(baseURL: "", accessKeyID: "k", accessKeySecret: "s", signName: "A", region: "r", templateCodes: [:])
        #expect(aliyun.classify(reply(200, #"{"Code":"OK","BizId":"9^0"}"#)) == .sent(providerID: "9^0"))
        #expect(aliyun.classify(reply(200, #"{"Code":"isv.MOBILE_NUMBER_ILLEGAL","Message":"非法手机号"}"#))
            == .failed(reason: "aliyun isv.MOBILE_NUMBER_ILLEGAL: 非法手机号"))
        // The number unsubscribed from promotional texts: no more marketing to it, notices still go.
        #expect(aliyun.classify(reply(200, #"{"Code":"isv.CUSTOMER_REFUSED","Message":"用户已退订推广短信"}"#))
            == .optedOutOfMarketing(reason: "aliyun isv.CUSTOMER_REFUSED: 用户已退订推广短信"))
        #expect(aliyun.classify(reply(200, #"{"Code":"isv.BUSINESS_LIMIT_CONTROL","Message":"触发流控"}"#))
            == .retry(after: 60_000, reason: "aliyun isv.BUSINESS_LIMIT_CONTROL: 触发流控"))
        #expect(aliyun.classify(reply(200, #"{"Code":"isp.SYSTEM_ERROR","Message":"x"}"#)) == .retry(after: nil, reason: "aliyun isp.SYSTEM_ERROR: x"))
        // The account's problems keep the message waiting until they are fixed.
        #expect(aliyun.classify(reply(404, #"{"Code":"InvalidAccessKeyId.NotFound","Message":"Specified access key is not found."}"#))
            == .retry(after: 300_000, reason: ProviderAccount.reason("aliyun InvalidAccessKeyId.NotFound: Specified access key is not found.")))
        #expect(aliyun.classify(reply(200, #"{"Code":"isv.OUT_OF_SERVICE","Message":"业务停机"}"#))
            == .retry(after: 300_000, reason: ProviderAccount.reason("aliyun isv.OUT_OF_SERVICE: 业务停机")))
        #expect(aliyun.classify(reply(200, #"{"Code":"isv.MONTH_LIMIT_CONTROL","Message":"触发月发送限额"}"#))
            == .retry(after: 3_600_000, reason: "aliyun isv.MONTH_LIMIT_CONTROL: 触发月发送限额"))
        // Answers without a Code (a gateway in front of the API): a 429 or 5xx page says the request
        // was not taken, so it retries (a 429 after its Retry-After); anything else fails, because a
        // retry could text the client twice.
        let limited = HTTPResponse(status: 429, headers: [("Retry-After", "7")], body: Array("<html>Too Many Requests</html>".utf8))
        #expect(aliyun.classify(limited) == .retry(after: 7_000, reason: "aliyun HTTP 429: <html>Too Many Requests</html>"))
        #expect(aliyun.classify(reply(502, "<html>Bad Gateway</html>")) == .retry(after: nil, reason: "aliyun HTTP 502: <html>Bad Gateway</html>"))
        #expect(aliyun.classify(reply(200, "not json {")) == .failed(reason: "aliyun HTTP 200: not json {"))
    }
}
