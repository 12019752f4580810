import Foundation
import HeraldChannels
import HeraldCore
import Testing

@Suite struct WebhookPayloadTests {
    @Test func bodyIsValidJSONWithTheEnvelopeAndEscapedText() throws {
        let message = Message(
            id: "msg_1", idempotencyKey: nil, clientID: "acme", template: nil, subject: "续约 \"提醒\"\n",
            text: "line1\nline2\u{1}", html: nil, data: #"{"renewal_date":"2026-12-23"}"#, locale: "zh-CN",
            priority: .high, category: .transactional, sendAt: nil, expiresAt: nil, createdAt: 0)
        let delivery = Delivery(
            id: "dlv_1", messageID: "msg_1", channel: "webhook", destination: "https://x.example", state: .sending,
            attempts: 2, dueAt: 0, expiresAt: nil, lastError: nil, providerID: nil, createdAt: 0, updatedAt: 0)
        let body = WebhookPayload.body(
            for: ClaimedDelivery(delivery: delivery, message: message),
            content: RenderedContent(subject: message.subject, text: message.text, html: nil), timestamp: 1_000)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any])
        #expect(object["type"] as? String == "message.delivery")
        let data = try #require(object["data"] as? [String: Any])
        #expect(data["delivery_id"] as? String == "dlv_1")
        #expect(data["attempt"] as? Int == 2)
        #expect(data["subject"] as? String == "续约 \"提醒\"\n")
        #expect(data["text"] as? String == "line1\nline2\u{1}")
        #expect((data["data"] as? [String: Any])?["renewal_date"] as? String == "2026-12-23")
        #expect(data["html"] == nil)
    }
}
