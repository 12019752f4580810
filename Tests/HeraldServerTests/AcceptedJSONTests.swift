import HeraldCore
import Testing

@testable import HeraldServer

@Suite struct AcceptedJSONTests {
    /// The streamed 202 body equals the `JSONValue` tree `herald send` prints, byte for byte.
    @Test(arguments: [
        (nil, 0), ("order-7 \"q\" \\ \u{1}é中\u{2028}", 1), ("k", 3),
    ] as [(String?, Int)])
    func bodyMatchesTheCanonicalRecord(key: String?, deliveryCount: Int) {
        let m = BatchAnswerTests.message("msg_01", key: key)
        let all = [
            BatchAnswerTests.delivery("dlv_01", message: "msg_01", channel: "email", to: "li\"wang\"@example.com", .queued),
            BatchAnswerTests.delivery("dlv_02", message: "msg_01", channel: "dingtalk", to: "ops#SEC0123456789", .scheduled),
            BatchAnswerTests.delivery("dlv_03", message: "msg_01", channel: "web\\hook", to: "https://x.example/h#f\u{2028}", .suppressed),
        ]
        let deliveries = Array(all.prefix(deliveryCount))
        let written = AcceptedJSON.body(m, deliveries)
        let expected = RecordJSON.accepted(m, deliveries).canonicalBytes
        #expect(String(decoding: written, as: UTF8.self) == String(decoding: expected, as: UTF8.self))
        #expect((try? JSONValue.parse(written)) == (try? JSONValue.parse(expected)))
    }

    @Test func botSecretsAreRedacted() {
        let m = BatchAnswerTests.message("msg_01", key: nil)
        let d = BatchAnswerTests.delivery("dlv_01", message: "msg_01", channel: "dingtalk", to: "ops#SEC0123456789", .queued)
        let text = String(decoding: AcceptedJSON.body(m, [d]), as: UTF8.self)
        #expect(!text.contains("SEC0123456789"))
    }
}
