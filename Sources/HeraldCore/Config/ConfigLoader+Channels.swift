import Foundation
import TOMLKit

// MARK: - Keys of robot and SMS channel files.

extension ConfigLoader {
    /// The robot keys of a channel file; all optional.
    static func parseBot(_ reader: inout TOMLReader, kind: ChannelKind) -> BotSettings {
        var bot = BotSettings(kind: kind)
        if let url = reader.string("base_url") {
            if let problem = DestinationRules.urlProblem(url) { reader.fail("base_url", problem) } else {
                bot.baseURL = url.hasSuffix("/") ? String(url.dropLast()) : url
            }
        }
        if let n = reader.int("rate_limit", range: 1...10_000) { bot.rateLimit = n }
        if let d = reader.duration("rate_window", minimum: 100) { bot.rateWindow = d }
        if let d = reader.duration("rate_limited_pause", minimum: 0) { bot.rateLimitedPause = d }
        if let d = reader.duration("unhealthy_recheck", minimum: 1_000) { bot.unhealthyRecheck = d }
        if let words = reader.strings("keywords") {
            if words.contains(where: { $0.isEmpty || DestinationRules.hasLineBreak($0) }) {
                reader.fail("keywords", "keywords must be non-empty single-line strings")
            } else {
                bot.keywords = words
            }
        }
        return bot
    }

    /// A secret given by reference (`env:`, `file:`, `credential:`), or nil with a problem noted.
    static func secretReference(_ reader: inout TOMLReader, _ key: String, baseDirectory: String) -> SecretReference? {
        guard let text = reader.string(key) else { return nil }
        do {
            var reference = try SecretReference(parsing: text)
            if case .file(let path) = reference { reference = .file(absolute(path, base: baseDirectory)) }
            return reference
        } catch {
            reader.fail(key, error.detail)
            return nil
        }
    }

    /// The SMS keys of a channel file, by provider.
    static func parseSMS(_ reader: inout TOMLReader, provider: ChannelConfig.Provider, baseDirectory: String) -> SMSSettings {
        var sms = SMSSettings(provider: provider)
        if let url = reader.string("base_url") {
            if let problem = DestinationRules.urlProblem(url) { reader.fail("base_url", problem) } else {
                sms.baseURL = url.hasSuffix("/") ? String(url.dropLast()) : url
            }
        }
        func required(_ key: String, _ example: String) -> String? {
            if let value = reader.string(key) {
                if value.isEmpty || DestinationRules.hasLineBreak(value) { reader.fail(key, "must be a single-line value") }
                return value
            }
            if provider != .outbox { reader.fail(key, "required for provider \(provider.rawValue), e.g. \(example)") }
            return nil
        }
        switch provider {
        case .aliyun:
            sms.accountID = required("access_key_id", "\"LTAI5t…\"")
            sms.credential = secretReference(&reader, "access_key_secret", baseDirectory: baseDirectory)
            if sms.credential == nil { reader.fail("access_key_secret", "required, by reference (env:, file: or credential:)") }
            sms.signName = required("sign_name", "\"Acme\"")
            if let region = reader.string("region") { sms.region = region }
            sms.receiptToken = secretReference(&reader, "receipt_token", baseDirectory: baseDirectory)
            var codes = reader.child("template_codes")
            for key in codes.table.keys.sorted() {
                if let code = codes.string(key) {
                    if code.hasPrefix("SMS_") { sms.templateCodes[key] = code } else {
                        codes.fail(key, "Aliyun template codes look like SMS_123456789")
                    }
                }
            }
            reader.merge(codes)
        default:
            sms.accountID = required("account_sid", "\"AC…\"")
            sms.credential = secretReference(&reader, "auth_token", baseDirectory: baseDirectory)
            if sms.credential == nil && provider == .twilio {
                reader.fail("auth_token", "required, by reference (env:, file: or credential:)")
            }
            if let from = reader.string("from") {
                if let problem = DestinationRules.phoneProblem(from) { reader.fail("from", problem) } else { sms.from = from }
            }
            sms.messagingServiceSID = reader.string("messaging_service_sid")
            if provider == .twilio && sms.from == nil && sms.messagingServiceSID == nil {
                reader.fail("from", "give 'from' (an E.164 number) or 'messaging_service_sid'")
            }
            if let b = reader.bool("status_callback") { sms.statusCallback = b }
        }
        return sms
    }
}
