import Crypto
import Foundation
import HeraldCore

/// DingTalk custom robot: `POST <base>?access_token=<token>[&timestamp=<ms>&sign=<sign>]`.
/// Signed robots: `sign = urlencode(base64(HMAC-SHA256(secret, "<ms>\n<secret>")))`.
/// Mentions go in `at` and, as the platform asks, as `@<mobile>` / `@<userid>` in the text.
/// A link makes an `actionCard` with one button; action cards cannot mention anyone, so a message
/// with both mentions and a link is markdown with the link as its last line instead.
struct DingTalkRobot: BotPlatform {
    var kind: ChannelKind { .dingtalk }

    func contentLimit(markdown: Bool) -> Int { 18_000 }

    /// The `sign` query value (already percent-encoded) for `timestamp` epoch milliseconds.
    static func signature(secret: String, timestamp: Int64) -> String {
        let mac = HMAC<SHA256>.authenticationCode(
            for: Data("\(timestamp)\n\(secret)".utf8), using: SymmetricKey(data: Data(secret.utf8)))
        return FormEncoding.percent(Data(mac).base64EncodedString())
    }

    func request(
        baseURL: String, address: BotAddress, title: String?, content: String, markdown: Bool, link: ContentLink?,
        mentions: Mentions.Resolved, now: Int64
    ) -> BotRequest {
        var url = baseURL + "?access_token=" + address.id
        if let secret = address.secret {
            url += "&timestamp=\(now)&sign=" + Self.signature(secret: secret, timestamp: now)
        }
        var text = content
        let heading = title ?? String(content.split(separator: "\n").first ?? "").trimmingCharacters(in: CharacterSet(charactersIn: "# "))
        var fields: [String: JSONValue] = [:]
        if let link, mentions.isEmpty {
            fields["msgtype"] = .string("actionCard")
            fields["actionCard"] = .object([
                "title": .string(heading), "text": .string(text), "singleTitle": .string(link.title),
                "singleURL": .string(link.url), "btnOrientation": .string("0"),
            ])
            return BotRequest(url: url, body: Array(JSONValue.object(fields).canonicalText.utf8))
        }
        if let link { text += "\n\n[\(link.title)](\(link.url))" }
        let tags = (mentions.mobiles + mentions.userIDs).map { "@" + $0 }.filter { !content.contains($0) }
        if !tags.isEmpty { text += "\n" + tags.joined(separator: " ") }
        if markdown || link != nil {
            fields["msgtype"] = .string("markdown")
            fields["markdown"] = .object(["title": .string(heading), "text": .string(text)])
        } else {
            fields["msgtype"] = .string("text")
            fields["text"] = .object(["content": .string(text)])
        }
        if !mentions.isEmpty {
            fields["at"] = .object([
                "atMobiles": .array(mentions.mobiles.map(JSONValue.string)),
                "atUserIds": .array(mentions.userIDs.map(JSONValue.string)),
                "isAtAll": .bool(mentions.all),
            ])
        }
        return BotRequest(url: url, body: Array(JSONValue.object(fields).canonicalText.utf8))
    }

    func classify(_ response: HTTPResponse, now: Int64) -> BotVerdict {
        guard response.status == 200, let (code, message) = errorCode(response.jsonObject(), ("errcode", "errmsg"))
        else { return transportVerdict(response) }
        let reason = "dingtalk \(code): \(message)"
        switch code {
        case 0: return .accepted
        case 130101: return .rateLimited(pause: nil, reason: reason)
        case -1: return .retry(reason: reason)
        case 310000:
            // A clock that drifted is fixable by retrying later; sign/keyword/IP errors are robot settings.
            if message.lowercased().contains("timestamp") { return .retry(reason: reason + " (check this host's clock)") }
            return .robotRejected(reason: reason)
        // token does not exist / robot disabled
        case 300001, 300005, 400102, 410100: return .robotRejected(reason: reason)
        default: return .failed(reason: reason)
        }
    }
}
