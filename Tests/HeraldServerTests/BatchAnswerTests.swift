import HeraldCore
import Testing

@testable import HeraldServer

@Suite struct BatchAnswerTests {
    static func message(_ id: String, key: String?) -> Message {
        Message(
            id: id, idempotencyKey: key, clientID: nil, template: nil, subject: "Hi", text: "Hello", html: nil, data: "{}",
            locale: nil, priority: .normal, category: .transactional, sendAt: nil, expiresAt: nil, createdAt: 1)
    }

    static func delivery(_ id: String, message: String, channel: String, to destination: String, _ state: DeliveryState) -> Delivery {
        Delivery(
            id: id, messageID: message, channel: channel, destination: destination, state: state, attempts: 0, dueAt: 1,
            expiresAt: nil, lastError: nil, providerID: nil, createdAt: 1, updatedAt: 1)
    }

    /// What the streamed writer must equal: the same answer built as a `JSONValue` tree.
    static func tree(accepted: Int, rejected: Int, _ results: [JSONValue]) -> [UInt8] {
        JSONValue.object(["accepted": .int(Int64(accepted)), "rejected": .int(Int64(rejected)), "results": .array(results)])
            .canonicalBytes
    }

    @Test func acceptedEntriesMatchTheCanonicalRecordFieldsByteForByte() {
        // Escapes (quotes, backslash, a control character, U+2028), non-ASCII text, a redacted
        // bot secret, a message without deliveries and one with an idempotency key.
        let first = Self.message("msg_01", key: nil)
        let firstDeliveries = [
            Self.delivery("dlv_01", message: "msg_01", channel: "email", to: "li\"wang\"@example.com", .queued),
            Self.delivery("dlv_02", message: "msg_01", channel: "dingtalk", to: "ops#SEC0123456789", .scheduled),
            Self.delivery("dlv_03", message: "msg_01", channel: "web\\hook", to: "https://x.example/h?a=1#frag\u{2028}", .suppressed),
        ]
        let second = Self.message("msg_02", key: "order-7 \u{1}é中")
        let error = HeraldError.invalid(field: "messages[1].to", "must name at least one channel")
        var answer = BatchAnswer(accepted: 2, rejected: 2, capacity: 4)
        answer.accepted(first, firstDeliveries, index: 0)
        answer.rejected(index: 1, error)
        answer.accepted(second, [], index: 2)
        answer.conflict(index: 3, existingMessageID: "msg_00")

        var firstFields = RecordJSON.acceptedFields(first, firstDeliveries)
        firstFields["index"] = .int(0)
        firstFields["status"] = .int(202)
        var secondFields = RecordJSON.acceptedFields(second, [])
        secondFields["index"] = .int(2)
        secondFields["status"] = .int(202)
        let rejectedEntry: JSONValue = .object([
            "index": .int(1), "status": .int(422),
            "error": .object([
                "detail": .string(error.detail),
                "invalid_params": .array([.object(["name": .string("messages[1].to"), "reason": .string("must name at least one channel")])]),
            ]),
        ])
        let conflictEntry: JSONValue = .object([
            "index": .int(3), "status": .int(409),
            "error": .object(["detail": .string("idempotency key already used for msg_00 with a different request")]),
        ])
        let expected = Self.tree(
            accepted: 2, rejected: 2, [.object(firstFields), rejectedEntry, .object(secondFields), conflictEntry])
        let written = answer.finish()
        #expect(String(decoding: written, as: UTF8.self) == String(decoding: expected, as: UTF8.self))
        // And it is JSON a client can read back.
        #expect((try? JSONValue.parse(written)) == (try? JSONValue.parse(expected)))
    }

    @Test func anEmptyAnswerIsStillAnObject() {
        let written = BatchAnswer(accepted: 0, rejected: 0, capacity: 0).finish()
        #expect(String(decoding: written, as: UTF8.self) == #"{"accepted":0,"rejected":0,"results":[]}"#)
    }
}
