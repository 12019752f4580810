import Foundation
@testable import HeraldChannels
import HeraldCore
import Testing

@Suite struct BotPlatformTests {
    private func json(_ request: BotRequest) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any])
    }

    private func answer(_ body: String, status: Int = 200, headers: [(String, String)] = []) -> HTTPResponse {
        HTTPResponse(status: status, headers: headers, body: Array(body.utf8))
    }

    /// Values computed with Python's hmac/base64 from the platforms' documented algorithms.
    @Test func dingTalkSignatureMatchesTheDocumentedAlgorithm() {
        #expect(DingTalkRobot.signature(secret: "SEC0123456789abcdef", timestamp: 1_700_000_000_000)
            == "TSZbRFUuvaSQaRKUpF970OPCb2%2FLcQAP3wOvwZIzBZk%3D")
    }

    @Test func feishuSignatureUsesTheTimestampAndSecretAsTheKey() {
        #expect(FeishuBot.signature(secret: "feishu-secret", timestamp: 1_700_000_000)
            == "OrBzY1Y01Gq+HgJsl+7OfWcMVwc7YocohQm5iiZwjhU=")
    }

    @Test func dingTalkSignedURLAndMentions() throws {
        let mentions = Mentions.resolve(["+8613800138000", "dingtalk:0412", "wecom:zs", "all"], for: .dingtalk)
        let request = DingTalkRobot().request(
            baseURL: "https://oapi.dingtalk.com/robot/send", address: BotAddress(id: "tok", secret: "SECabc"),
            title: nil, content: "Hello", markdown: false, link: nil, mentions: mentions, now: 1_700_000_000_000)
        #expect(request.url.hasPrefix("https://oapi.dingtalk.com/robot/send?access_token=tok&timestamp=1700000000000&sign="))
        let body = try json(request)
        let at = try #require(body["at"] as? [String: Any])
        #expect(at["atMobiles"] as? [String] == ["13800138000"])
        #expect(at["atUserIds"] as? [String] == ["0412"])
        #expect(at["isAtAll"] as? Bool == true)
        #expect((body["text"] as? [String: Any])?["content"] as? String == "Hello\n@13800138000 @0412")
    }

    @Test func feishuMentionsByUserIDOnlyAndSignsInTheBody() throws {
        let mentions = Mentions.resolve(["+8613800138000", "ou_1"], for: .feishu)
        let request = FeishuBot().request(
            baseURL: "https://open.feishu.cn/open-apis/bot/v2/hook", address: BotAddress(id: "hook", secret: "s"),
            title: "T", content: "Body", markdown: false, link: nil, mentions: mentions, now: 1_700_000_000_999)
        #expect(request.url == "https://open.feishu.cn/open-apis/bot/v2/hook/hook")
        let body = try json(request)
        #expect(body["timestamp"] as? String == "1700000000")
        #expect(body["sign"] as? String == FeishuBot.signature(secret: "s", timestamp: 1_700_000_000))
        #expect((body["content"] as? [String: Any])?["text"] as? String == "T\nBody\n<at user_id=\"ou_1\"></at>")
    }

    @Test func weComMarkdownMentionsInsideTheContent() throws {
        let request = WeComRobot().request(
            baseURL: "https://q/send", address: BotAddress(id: "k"), title: nil, content: "**hi**", markdown: true,
            link: nil, mentions: Mentions.resolve(["zs"], for: .wecom), now: 0)
        #expect(request.url == "https://q/send?key=k")
        let body = try json(request)
        #expect((body["markdown"] as? [String: Any])?["content"] as? String == "**hi**\n<@zs>")
    }

    static let link = ContentLink(url: "https://acme.example/start?a=1&b=2", title: "立即开始")

    @Test func dingTalkLinksMakeAnActionCardUnlessSomeoneIsMentioned() throws {
        let robot = DingTalkRobot()
        let card = try json(robot.request(
            baseURL: "https://d", address: BotAddress(id: "t"), title: "欢迎", content: "### 欢迎\n**三步**", markdown: true,
            link: Self.link, mentions: Mentions.Resolved(), now: 0))
        #expect(card["msgtype"] as? String == "actionCard")
        let action = try #require(card["actionCard"] as? [String: Any])
        #expect(action["title"] as? String == "欢迎" && action["text"] as? String == "### 欢迎\n**三步**")
        #expect(action["singleTitle"] as? String == "立即开始" && action["singleURL"] as? String == Self.link.url)
        // Action cards cannot @ anyone: with mentions the link becomes the last line of markdown.
        let mentioned = try json(robot.request(
            baseURL: "https://d", address: BotAddress(id: "t"), title: "欢迎", content: "Hi", markdown: false,
            link: Self.link, mentions: Mentions.resolve(["+8613800138000"], for: .dingtalk), now: 0))
        #expect(mentioned["msgtype"] as? String == "markdown")
        #expect((mentioned["markdown"] as? [String: Any])?["text"] as? String
            == "Hi\n\n[立即开始](https://acme.example/start?a=1&b=2)\n@13800138000")
    }

    @Test func weComLinksMakeANewsArticleWithPlainBoundedText() throws {
        let long = "## 欢迎加入\n**星河科技**，您好！[入门指南](https://x.example/g) 帮您上手。\n" + String(repeating: "数据接入已完成。", count: 60)
        let news = try json(WeComRobot().request(
            baseURL: "https://q", address: BotAddress(id: "k"), title: nil, content: long, markdown: true, link: Self.link,
            mentions: Mentions.Resolved(), now: 0))
        #expect(news["msgtype"] as? String == "news")
        let article = try #require(((news["news"] as? [String: Any])?["articles"] as? [[String: Any]])?.first)
        #expect(article["title"] as? String == "欢迎加入")
        let description = try #require(article["description"] as? String)
        #expect(description.hasPrefix("星河科技，您好！入门指南 帮您上手。") && description.hasSuffix("…"))
        #expect(description.utf8.count <= 512)
        #expect(article["url"] as? String == Self.link.url)
        let mentioned = try json(WeComRobot().request(
            baseURL: "https://q", address: BotAddress(id: "k"), title: nil, content: "Hi", markdown: true, link: Self.link,
            mentions: Mentions.resolve(["zs"], for: .wecom), now: 0))
        #expect((mentioned["markdown"] as? [String: Any])?["content"] as? String
            == "Hi\n[立即开始](https://acme.example/start?a=1&b=2)\n<@zs>")
    }

    @Test func feishuLinksAddAButtonToTheCard() throws {
        let body = try json(FeishuBot().request(
            baseURL: "https://f", address: BotAddress(id: "h"), title: "T", content: "Body", markdown: false, link: Self.link,
            mentions: Mentions.resolve(["ou_1"], for: .feishu), now: 0))
        #expect(body["msg_type"] as? String == "interactive")
        let elements = try #require((body["card"] as? [String: Any])?["elements"] as? [[String: Any]])
        #expect(elements[0]["content"] as? String == "Body\n<at id=ou_1></at>")
        let button = try #require((elements[1]["actions"] as? [[String: Any]])?.first)
        #expect(button["url"] as? String == Self.link.url)
        #expect((button["text"] as? [String: Any])?["content"] as? String == "立即开始")
    }

    @Test func errorsInAnHTTP200BodyAreClassified() {
        let wecom = WeComRobot(), ding = DingTalkRobot(), feishu = FeishuBot()
        #expect(wecom.classify(answer(#"{"errcode":0,"errmsg":"ok"}"#), now: 0) == .accepted)
        #expect(wecom.classify(answer(#"{"errcode":45009,"errmsg":"api freq out of limit"}"#), now: 0)
            == .rateLimited(pause: nil, reason: "wecom 45009: api freq out of limit"))
        #expect(wecom.classify(answer(#"{"errcode":93000,"errmsg":"invalid webhook url"}"#), now: 0)
            == .robotRejected(reason: "wecom 93000: invalid webhook url"))
        #expect(wecom.classify(answer(#"{"errcode":44004,"errmsg":"empty content"}"#), now: 0)
            == .failed(reason: "wecom 44004: empty content"))
        #expect(ding.classify(answer(#"{"errcode":130101,"errmsg":"send too fast"}"#), now: 0)
            == .rateLimited(pause: nil, reason: "dingtalk 130101: send too fast"))
        #expect(ding.classify(answer(#"{"errcode":310000,"errmsg":"sign not match"}"#), now: 0)
            == .robotRejected(reason: "dingtalk 310000: sign not match"))
        #expect(ding.classify(answer(#"{"errcode":310000,"errmsg":"keywords not in content"}"#), now: 0)
            == .robotRejected(reason: "dingtalk 310000: keywords not in content"))
        guard case .retry = ding.classify(answer(#"{"errcode":310000,"errmsg":"invalid timestamp"}"#), now: 0) else {
            Issue.record("a stale timestamp is a clock problem: retry")
            return
        }
        #expect(feishu.classify(answer(#"{"code":0,"msg":"success","data":{}}"#), now: 0) == .accepted)
        #expect(feishu.classify(answer(#"{"StatusCode":0,"StatusMessage":"success"}"#), now: 0) == .accepted)
        #expect(feishu.classify(answer(#"{"code":19021,"msg":"sign match fail"}"#), now: 0)
            == .robotRejected(reason: "feishu 19021: sign match fail"))
        #expect(feishu.classify(answer(#"{"code":11232,"msg":"frequency limited"}"#), now: 0)
            == .rateLimited(pause: nil, reason: "feishu 11232: frequency limited"))
        #expect(feishu.classify(
            answer(#"{"code":99991400,"msg":"too many"}"#, status: 429, headers: [("x-ogw-ratelimit-reset", "7")]), now: 0)
            == .rateLimited(pause: 7_000, reason: #"feishu HTTP 429: {"code":99991400,"msg":"too many"}"#))
        for platform in [wecom, ding, feishu] as [any BotPlatform] {
            guard case .retry(let reason) = platform.classify(answer("<html>proxy login</html>"), now: 0) else {
                Issue.record("a 200 that is not the platform's JSON must be retried")
                return
            }
            #expect(reason.contains("not the platform's JSON"))
        }
        guard case .retry = wecom.classify(answer("bad gateway", status: 502), now: 0) else {
            Issue.record("5xx must retry")
            return
        }
    }
}
