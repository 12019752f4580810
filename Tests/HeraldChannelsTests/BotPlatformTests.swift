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
            title: nil, content: "Hello", markdown: false, mentions: mentions, now: 1_700_000_000_000)
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
            title: "T", content: "Body", markdown: false, mentions: mentions, now: 1_700_000_000_999)
        #expect(request.url == "https://open.feishu.cn/open-apis/bot/v2/hook/hook")
        let body = try json(request)
        #expect(body["timestamp"] as? String == "1700000000")
        #expect(body["sign"] as? String == FeishuBot.signature(secret: "s", timestamp: 1_700_000_000))
        #expect((body["content"] as? [String: Any])?["text"] as? String == "T\nBody\n<at user_id=\"ou_1\"></at>")
    }

    @Test func weComMarkdownMentionsInsideTheContent() throws {
        let request = WeComRobot().request(
            baseURL: "https://q/send", address: BotAddress(id: "k"), title: nil, content: "**hi**", markdown: true,
            mentions: Mentions.resolve(["zs"], for: .wecom), now: 0)
        #expect(request.url == "https://q/send?key=k")
        let body = try json(request)
        #expect((body["markdown"] as? [String: Any])?["content"] as? String == "**hi**\n<@zs>")
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
        guard case .retry = wecom.classify(answer("bad gateway", status: 502), now: 0) else {
            Issue.record("5xx must retry")
            return
        }
    }
}
