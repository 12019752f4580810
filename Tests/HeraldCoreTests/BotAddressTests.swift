import HeraldCore
import Testing

@Suite struct BotAddressTests {
    @Test func splitsIDAndSecret() {
        #expect(BotAddress(parsing: "tok#SECabc") == BotAddress(id: "tok", secret: "SECabc"))
        #expect(BotAddress(parsing: "tok") == BotAddress(id: "tok", secret: nil))
    }

    @Test(arguments: [
        ("tok_1-A", ChannelKind.dingtalk, true), ("tok#SECabc", .dingtalk, true), ("tok#abc", .dingtalk, false),
        ("key#x", .wecom, false), ("hook#any+/=", .feishu, true), ("https://oapi.dingtalk.com/robot/send?access_token=x", .dingtalk, false),
        ("", .wecom, false), ("a b", .wecom, false), ("tok#", .feishu, false), ("to/k", .feishu, false),
    ])
    func validation(address: String, kind: ChannelKind, ok: Bool) {
        #expect((kind.problem(with: address) == nil) == ok)
    }

    @Test func secretsAreRedactedForDisplay() {
        #expect(DestinationRules.redacted("tok#SECabc") == "tok#•••")
        #expect(DestinationRules.redacted("tok") == "tok")
        #expect(DestinationRules.redacted("https://x.example/a#frag") == "https://x.example/a#frag")
        #expect(BotAddress(id: "abcdefghijkl").shortID == "…ghijkl")
        #expect(BotAddress(id: "short").shortID == "•••••")
    }

    @Test func mentionsAreValidatedExpandedAndResolvedPerPlatform() {
        for ok in ["csm", "contacts", "all", "+8613800138000", "zhangsan", "wecom:zs", "feishu:ou_1"] {
            #expect(Mentions.problem(ok) == nil, "\(ok)")
        }
        for bad in ["+12", "slack:x", "a b", String(repeating: "x", count: 65)] {
            #expect(Mentions.problem(bad) != nil, "\(bad)")
        }
        let client = Client(
            id: "c", name: "C", tier: "t",
            csm: CSM(name: "W", phone: "+8613800138000", wecomUserID: "wangfang", dingtalkUserID: "0412"),
            contacts: [Contact(id: "a", phone: "+14155550100"), Contact(id: "b")])
        let expanded = Mentions.expand(["csm", "contacts", "all"], client: client)
        #expect(expanded == ["wecom:wangfang", "dingtalk:0412", "+8613800138000", "+14155550100", "all"])
        #expect(Mentions.resolve(expanded, for: .wecom)
            == Mentions.Resolved(mobiles: ["13800138000", "14155550100"], userIDs: ["wangfang"], all: true))
        #expect(Mentions.resolve(expanded, for: .feishu) == Mentions.Resolved(mobiles: [], userIDs: [], all: true))
    }

    @Test func durationsFormatBackToWhatTheyParse() {
        for (millis, text) in [(60_000 as Int64, "1m"), (6_000, "6s"), (1_500, "1500ms"), (86_400_000, "1d"), (0, "0ms")] {
            #expect(DurationText.format(millis) == text)
            #expect(DurationText.milliseconds(text) == millis)
        }
    }
}
