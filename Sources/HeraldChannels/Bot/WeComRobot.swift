import HeraldCore

/// WeCom (企业微信) group robot: `POST <base>?key=<key>`, unsigned (the key is the credential).
/// Text ≤ 2048 bytes with `mentioned_list` / `mentioned_mobile_list`; markdown ≤ 4096 bytes with
/// `<@userid>` mentions inside the content (markdown cannot mention by mobile number).
struct WeComRobot: BotPlatform {
    var kind: ChannelKind { .wecom }

    func contentLimit(markdown: Bool) -> Int { markdown ? 4096 : 2048 }

    func request(
        baseURL: String, address: BotAddress, title: String?, content: String, markdown: Bool,
        mentions: Mentions.Resolved, now: Int64
    ) -> BotRequest {
        let url = baseURL + "?key=" + address.id
        let body: JSONValue
        if markdown {
            var text = content
            let tags = mentions.userIDs.map { "<@\($0)>" } + (mentions.all ? ["<@all>"] : [])
            if !tags.isEmpty { text += "\n" + tags.joined(separator: " ") }
            body = .object(["msgtype": .string("markdown"), "markdown": .object(["content": .string(text)])])
        } else {
            var text: [String: JSONValue] = ["content": .string(content)]
            let users = mentions.userIDs + (mentions.all ? ["@all"] : [])
            if !users.isEmpty { text["mentioned_list"] = .array(users.map(JSONValue.string)) }
            if !mentions.mobiles.isEmpty { text["mentioned_mobile_list"] = .array(mentions.mobiles.map(JSONValue.string)) }
            body = .object(["msgtype": .string("text"), "text": .object(text)])
        }
        return BotRequest(url: url, body: Array(body.canonicalText.utf8))
    }

    func classify(_ response: HTTPResponse, now: Int64) -> BotVerdict {
        guard response.status == 200, let (code, message) = errorCode(response.jsonObject(), ("errcode", "errmsg"))
        else { return transportVerdict(response) }
        let reason = "wecom \(code): \(message)"
        switch code {
        case 0: return .accepted
        case 45009: return .rateLimited(pause: nil, reason: reason)
        case -1: return .retry(reason: reason)
        // invalid webhook url (key deleted or wrong), invalid credential / access token.
        case 93000, 40001, 40014, 42001: return .robotRejected(reason: reason)
        default: return .failed(reason: reason)
        }
    }
}
