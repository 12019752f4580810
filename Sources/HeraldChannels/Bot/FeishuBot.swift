import Crypto
import Foundation
import HeraldCore

/// Feishu / Lark custom bot: `POST <base>/<hook id>` with the signature in the body:
/// `sign = base64(HMAC-SHA256(key: "<seconds>\n<secret>", message: empty))`.
/// Text messages mention with `<at user_id="…"></at>`; markdown goes out as an interactive card
/// with a markdown element (`<at id=…></at>`), and a link adds a button to that card. Feishu
/// mentions by user id only.
struct FeishuBot: BotPlatform {
    var kind: ChannelKind { .feishu }

    /// The whole request body may be 20 KB; leave room for the envelope.
    func contentLimit(markdown: Bool) -> Int { 18_000 }

    static func signature(secret: String, timestamp: Int64) -> String {
        let key = SymmetricKey(data: Data("\(timestamp)\n\(secret)".utf8))
        return Data(HMAC<SHA256>.authenticationCode(for: Data(), using: key)).base64EncodedString()
    }

    func request(
        baseURL: String, address: BotAddress, title: String?, content: String, markdown: Bool, link: ContentLink?,
        mentions: Mentions.Resolved, now: Int64
    ) -> BotRequest {
        var fields: [String: JSONValue] = [:]
        if markdown || link != nil {
            var text = content
            let tags = mentions.userIDs.map { "<at id=\($0)></at>" } + (mentions.all ? ["<at id=all></at>"] : [])
            if !tags.isEmpty { text += "\n" + tags.joined(separator: " ") }
            var elements: [JSONValue] = [.object(["tag": .string("markdown"), "content": .string(text)])]
            if let link {
                elements.append(.object(["tag": .string("action"), "actions": .array([.object([
                    "tag": .string("button"), "type": .string("primary"), "url": .string(link.url),
                    "text": .object(["tag": .string("plain_text"), "content": .string(link.title)]),
                ])])]))
            }
            var card: [String: JSONValue] = ["elements": .array(elements)]
            if let title {
                card["header"] = .object(["title": .object(["tag": .string("plain_text"), "content": .string(title)])])
            }
            fields["msg_type"] = .string("interactive")
            fields["card"] = .object(card)
        } else {
            var text = title.map { $0 + "\n" + content } ?? content
            let tags = mentions.userIDs.map { "<at user_id=\"\($0)\"></at>" } + (mentions.all ? ["<at user_id=\"all\">所有人</at>"] : [])
            if !tags.isEmpty { text += "\n" + tags.joined(separator: " ") }
            fields["msg_type"] = .string("text")
            fields["content"] = .object(["text": .string(text)])
        }
        if let secret = address.secret {
            let seconds = now / 1000
            fields["timestamp"] = .string(String(seconds))
            fields["sign"] = .string(Self.signature(secret: secret, timestamp: seconds))
        }
        return BotRequest(url: baseURL + "/" + address.id, body: Array(JSONValue.object(fields).canonicalText.utf8))
    }

    func classify(_ response: HTTPResponse, now: Int64) -> BotVerdict {
        if response.status == 429 {
            // Gateway throttling: x-ogw-ratelimit-reset says how many seconds to wait.
            let pause = response.header("x-ogw-ratelimit-reset").flatMap { Int64($0.trimmingCharacters(in: .whitespaces)) }
            return .rateLimited(pause: pause.map { min($0, 3_600) * 1000 }, reason: "feishu HTTP 429: \(response.bodySnippet())")
        }
        guard let (code, message) = errorCode(response.jsonObject(), ("code", "msg"), ("StatusCode", "StatusMessage")) else { return transportVerdict(response) }
        let reason = "feishu \(code): \(message)"
        switch code {
        case 0: return response.status == 200 ? .accepted : transportVerdict(response)
        case 11232, 99991400: return .rateLimited(pause: nil, reason: reason)
        case 9499 where message.lowercased().contains("frequency"): return .rateLimited(pause: nil, reason: reason)
        // sign wrong or timestamp stale, IP not allowed, keyword missing, hook token invalid.
        case 19021, 19022, 19024, 19001: return .robotRejected(reason: reason)
        default: return response.status >= 500 ? .retry(reason: reason) : .failed(reason: reason)
        }
    }
}
