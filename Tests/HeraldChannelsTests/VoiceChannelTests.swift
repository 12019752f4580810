import Foundation
@testable import HeraldChannels
import HeraldCore
import Testing

@Suite struct VoiceChannelTests {
    private func channel(
        languages: [String: String] = [:], callback: Bool = true, defaultLocale: String = "en", machineDetection: Bool = false
    ) throws -> VoiceChannel {
        var config = ChannelConfig(name: "voice", kind: .voice, provider: .twilio)
        var settings = VoiceSettings()
        settings.baseURL = "https://twilio.test"
        settings.accountSID = "AC123"
        settings.from = "+14155550100"
        settings.languages = languages
        settings.statusCallback = callback
        settings.machineDetection = machineDetection
        config.voice = settings
        return try VoiceChannel(
            config: config, authToken: "tok", publicURL: "https://herald.example.com", defaultLocale: defaultLocale)
    }

    private func claimed(locale: String?, to number: String = "+8613800138000") -> ClaimedDelivery {
        claimedDelivery(id: "1", channel: "voice", to: number, locale: locale)
    }

    private func fields(_ body: [UInt8]) -> [String: String] {
        Dictionary(FormEncoding.decode(body), uniquingKeysWith: { a, _ in a })
    }

    @Test func theCallsRequestCarriesAuthNumbersTwiMLAndASignedCallback() throws {
        let voice = try channel()
        let request = try voice.request(claimed(locale: "zh-CN"), content: RenderedContent(subject: nil, text: "您好，续约提醒。", html: nil))
        #expect(request.url == "https://twilio.test/2010-04-01/Accounts/AC123/Calls.json")
        #expect(request.headers.contains { $0 == ("Authorization", "Basic " + Data("AC123:tok".utf8).base64EncodedString()) })
        let form = fields(request.body)
        #expect(form["To"] == "+8613800138000" && form["From"] == "+14155550100")
        #expect(form["StatusCallback"] == "https://herald.example.com/callbacks/twilio?delivery=dlv_1")
        #expect(form["Twiml"] == #"<?xml version="1.0" encoding="UTF-8"?><Response><Say voice="alice" language="zh-CN" loop="2">您好，续约提醒。</Say></Response>"#)
        let silent = try channel(callback: false).request(claimed(locale: nil), content: RenderedContent(subject: nil, text: "x", html: nil))
        #expect(fields(silent.body)["StatusCallback"] == nil)
        #expect(form["MachineDetection"] == nil)
        let detecting = try channel(machineDetection: true).request(claimed(locale: "en"), content: RenderedContent(subject: nil, text: "x", html: nil))
        #expect(fields(detecting.body)["MachineDetection"] == "DetectMessageEnd")
    }

    @Test func messageTextCannotAddTwiMLVerbs() throws {
        let text = "Call <Dial>+19005550100</Dial> & \"press\" 'one'\u{1}\u{7}now\n"
        let twiml = TwiML.say(text, voice: "alice", language: "en-US", loop: 1)
        #expect(twiml.hasSuffix(#">Call &lt;Dial&gt;+19005550100&lt;/Dial&gt; &amp; &quot;press&quot; &#39;one&#39;  now"# + "\n</Say></Response>"))
        #expect(!twiml.contains("<Dial>"))
        // Attribute values are escaped too (a voice name is checked when the config loads).
        #expect(TwiML.say("x", voice: "a\"b", language: "en<", loop: 1).contains(#"voice="a&quot;b" language="en&lt;""#))
    }

    @Test func theLanguageFollowsTheMessageLocale() throws {
        let voice = try channel(languages: ["zh-CN": "cmn-CN"], defaultLocale: "zh-CN")
        func language(_ locale: String?) throws -> String? {
            let twiml = fields(try voice.request(claimed(locale: locale), content: RenderedContent(subject: nil, text: "x", html: nil)).body)["Twiml"] ?? ""
            return twiml.range(of: #"language="[^"]*""#, options: .regularExpression).map { String(twiml[$0].dropFirst(10).dropLast()) }
        }
        #expect(try language("zh-CN") == "cmn-CN")           // configured
        #expect(try language(nil) == "cmn-CN")               // the default locale, configured
        #expect(try language("en") == "en-US")               // a bare language gets its usual region
        #expect(try language("en-GB") == "en-GB")            // a locale with a region is used as it is
        #expect(try language("fr") == "fr-FR")
        #expect(try language("xx") == "en-US")
    }

    @Test func emptyOrOverlongTextFailsWithoutACall() throws {
        let voice = try channel()
        #expect {
            try voice.request(claimed(locale: "en"), content: RenderedContent(subject: nil, text: "  \n", html: nil))
        } throws: { error in
            (error as? HeraldError)?.fields.first?.name == "text"
        }
        let long = String(repeating: "a & b ", count: 700)
        #expect {
            try voice.request(claimed(locale: "en"), content: RenderedContent(subject: nil, text: long, html: nil))
        } throws: { error in
            (error as? HeraldError)?.fields.first?.reason.contains("at most 4000") == true
        }
        // The worker turns it into a permanent failure without touching the network.
        let attempt = VoiceWorker(easy: try CurlEasy(), channel: voice)
            .send(claimed(locale: "en"), content: RenderedContent(subject: nil, text: long, html: nil))
        guard case .failed(let reason) = attempt.outcome else {
            Issue.record("expected failed, got \(attempt.outcome)")
            return
        }
        #expect(reason.contains("Twilio takes at most"))
    }

    @Test func twilioRepliesAreClassified() {
        func reply(_ status: Int, _ body: String) -> HTTPResponse { HTTPResponse(status: status, headers: [], body: Array(body.utf8)) }
        #expect(TwilioAPI.classify(reply(201, #"{"sid":"CA9","status":"queued"}"#)) == .sent(providerID: "CA9"))
        #expect(TwilioAPI.classify(reply(400, #"{"code":21210,"message":"'From' is not verified"}"#))
            == .retry(after: 300_000, reason: ProviderAccount.reason("twilio HTTP 400 21210: 'From' is not verified")))
        #expect(TwilioAPI.classify(reply(401, #"{"code":20003,"message":"Authenticate"}"#))
            == .retry(after: 300_000, reason: ProviderAccount.reason("twilio HTTP 401 20003: Authenticate")))
        #expect(TwilioAPI.classify(reply(400, #"{"code":21610,"message":"Attempt to send to unsubscribed recipient"}"#))
            == .failed(reason: "twilio HTTP 400 21610: Attempt to send to unsubscribed recipient"))
        guard case .retry = TwilioAPI.classify(reply(503, "down")) else {
            Issue.record("503 must retry")
            return
        }
    }
}
