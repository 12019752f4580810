import HeraldCore

/// WeCom (企业微信) group robot: `POST <base>?key=<key>`, unsigned (the key is the credential).
/// Text ≤ 2048 bytes with `mentioned_list` / `mentioned_mobile_list`; markdown ≤ 4096 bytes with
/// `<@userid>` mentions inside the content (markdown cannot mention by mobile number).
/// A link makes a `news` article (title ≤ 128 bytes, description ≤ 512 bytes of plain text, the
/// link); articles cannot mention anyone, so with mentions the link ends a markdown message instead.
struct WeComRobot: BotPlatform {
    var kind: ChannelKind { .wecom }

    func contentLimit(markdown: Bool) -> Int { markdown ? 4096 : 2048 }

    func request(
        baseURL: String, address: BotAddress, title: String?, content: String, markdown: Bool, link: ContentLink?,
        mentions: Mentions.Resolved, now: Int64
    ) -> BotRequest {
        let url = baseURL + "?key=" + address.id
        let body: JSONValue
        if let link, mentions.isEmpty {
            // Without a title the first line is the article's title, so the description starts after it.
            let lines = content.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false)
            let heading = title ?? String(lines.first ?? "")
            let plain = BotText.plainText(fromMarkdown: title == nil && lines.count > 1 ? String(lines[1]) : content)
            let article: JSONValue = .object([
                "title": .string(BotText.cut(BotText.plainText(fromMarkdown: heading), bytes: 128)),
                "description": .string(BotText.cut(plain, bytes: 512)), "url": .string(link.url),
            ])
            body = .object(["msgtype": .string("news"), "news": .object(["articles": .array([article])])])
        } else if markdown || link != nil {
            var text = content
            if let link { text += "\n[\(link.title)](\(link.url))" }
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
