import HeraldChannels
import HeraldCore
import Testing

@Suite struct WebhookClassifierTests {
    enum Kind: Equatable { case sent, retry, failed }

    static func kind(_ outcome: DeliveryOutcome) -> Kind {
        switch outcome {
        case .sent: .sent
        case .retry: .retry
        case .failed, .bounced, .optedOut, .optedOutOfMarketing: .failed
        }
    }

    @Test(arguments: [
        (200, Kind.sent), (202, .sent), (204, .sent), (299, .sent),
        (301, .failed), (302, .failed), (307, .failed),
        (400, .failed), (401, .failed), (403, .failed), (404, .failed), (410, .failed), (422, .failed),
        (408, .retry), (425, .retry), (429, .retry),
        (500, .retry), (502, .retry), (503, .retry), (504, .retry),
    ])
    func statusClasses(status: Int, expected: Kind) {
        let response = HTTPResponse(status: status, headers: [], body: Array("nope".utf8))
        #expect(Self.kind(WebhookClassifier.classify(response, now: 0)) == expected)
    }

    @Test func retryAfterSecondsAndDatesAreHonoured() {
        let seconds = HTTPResponse(status: 429, headers: [("retry-after", "7")], body: [])
        #expect(WebhookClassifier.classify(seconds, now: 0) == .retry(after: 7_000, reason: "HTTP 429"))
        let now: Int64 = 1_445_412_480_000  // Wed, 21 Oct 2015 07:28:00 GMT
        #expect(RetryAfter.milliseconds("Wed, 21 Oct 2015 07:28:30 GMT", now: now) == 30_000)
        #expect(RetryAfter.milliseconds("soon", now: now) == nil)
        #expect(RetryAfter.milliseconds("999999999", now: now) == 86_400_000)
    }

    @Test func failureReasonsCarryTheStatusAndAShortBody() {
        let body = Array(String(repeating: "x", count: 1_000).utf8)
        guard case .failed(let reason) = WebhookClassifier.classify(HTTPResponse(status: 400, headers: [], body: body), now: 0)
        else {
            Issue.record("expected failure")
            return
        }
        #expect(reason.hasPrefix("HTTP 400: xxx") && reason.count < 220)
    }

    @Test(arguments: [
        ("8.8.8.8", true), ("1.1.1.1", true), ("127.0.0.1", false), ("10.1.2.3", false), ("172.16.0.1", false),
        ("172.32.0.1", true), ("192.168.1.1", false), ("169.254.169.254", false), ("100.64.0.1", false),
        ("0.0.0.0", false), ("224.0.0.1", false), ("::1", false), ("::", false), ("fe80::1", false),
        ("fd00::1", false), ("2606:4700::1111", true), ("::ffff:127.0.0.1", false), ("::ffff:8.8.8.8", true),
        ("not-an-ip", false),
    ])
    func addressPolicy(address: String, isPublic: Bool) {
        #expect(AddressPolicy.isPublic(address) == isPublic)
    }
}
