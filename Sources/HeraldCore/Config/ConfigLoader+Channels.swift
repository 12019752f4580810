import Foundation
import TOMLKit

// MARK: - Keys of robot and SMS channel files.

extension ConfigLoader {
    /// The robot keys of a channel file; all optional.
    static func parseBot(_ reader: inout TOMLReader, kind: ChannelKind) -> BotSettings {
        var bot = BotSettings(kind: kind)
        if let url = baseURL(&reader) { bot.baseURL = url }
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

    /// `base_url` (a provider's API base, overridable for private gateways and test peers) without
    /// a trailing slash, or nil with a problem noted when it is not a URL.
    static func baseURL(_ reader: inout TOMLReader) -> String? {
        guard let url = reader.string("base_url") else { return nil }
        if let problem = DestinationRules.urlProblem(url) {
            reader.fail("base_url", problem)
            return nil
        }
        return url.hasSuffix("/") ? String(url.dropLast()) : url
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
        if let url = baseURL(&reader) { sms.baseURL = url }
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
        let limited = reader.table["rate_limit"] != nil
        if let n = reader.int("rate_limit", range: 1...100_000) { sms.rateLimit = n }
        if let d = reader.duration("rate_window", minimum: 100) {
            if limited { sms.rateWindow = d } else { reader.fail("rate_window", "has no effect without rate_limit") }
        }
        if let scope = reader.string("rate_by") {
            if !limited { reader.fail("rate_by", "has no effect without rate_limit") }
            if let parsed = SMSSettings.RateScope(rawValue: scope) { sms.rateScope = parsed } else {
                reader.fail("rate_by", "must be one of \(SMSSettings.RateScope.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", "))")
            }
        }
        return sms
    }
}

// MARK: - Phone channel files.

extension ConfigLoader {
    /// The phone keys of a channel file; all optional.
    static func parsePhone(_ reader: inout TOMLReader) -> PhoneSettings {
        var phone = PhoneSettings()
        let hours = reader.string("business_hours")
        let days = reader.strings("business_days")
        if hours != nil || days != nil {
            let text = hours ?? "09:00-18:00"
            if let parsed = BusinessHours(hours: text, days: days ?? ["mon", "tue", "wed", "thu", "fri"]) {
                phone.businessHours = parsed
            } else if BusinessHours(hours: text, days: ["mon"]) == nil {
                reader.fail("business_hours", "must be HH:MM-HH:MM with the opening first, e.g. \"09:00-18:00\"")
            } else {
                reader.fail("business_days", "must list day names: mon, tue, wed, thu, fri, sat, sun")
            }
        }
        if let d = reader.duration("due_within", minimum: 0) { phone.dueWithin = d }
        if let d = reader.duration("follow_up_after", minimum: 60_000) { phone.followUpAfter = d }
        if let n = reader.int("max_attempts", range: 1...10) { phone.maxAttempts = n }
        if let d = reader.duration("overdue_after", minimum: 0) { phone.overdueAfter = d }
        if let names = reader.strings("notify") { phone.notify = names }
        var robots = reader.child("robots")
        for key in robots.table.keys.sorted() {
            if let address = robots.string(key) { phone.robots[key] = address }
        }
        reader.merge(robots)
        if let locale = reader.string("locale") {
            if MessageRequestParser.isLocale(locale) { phone.locale = locale } else {
                reader.fail("locale", "must be a locale such as en or zh-CN")
            }
        }
        if let manager = reader.string("manager") {
            if let problem = DestinationRules.emailProblem(manager) { reader.fail("manager", "address \(problem)") } else {
                phone.manager = manager
            }
        }
        phone.managerChannel = reader.string("manager_channel")
        if let zone = reader.string("default_timezone") {
            if TimeZone(identifier: zone) != nil { phone.defaultTimezone = zone } else {
                reader.fail("default_timezone", "is not an IANA time zone such as Asia/Shanghai")
            }
        }
        return phone
    }

    /// Cross-file checks of phone channels: notice channels exist and can reach a CSM.
    static func phoneProblems(_ channels: [ChannelConfig], directory: String) -> [String] {
        let kinds = Dictionary(channels.map { ($0.name, $0.kind) }, uniquingKeysWith: { a, _ in a })
        var problems: [String] = []
        for channel in channels {
            guard let phone = channel.phone else { continue }
            let file = "\(directory)/\(channel.name).toml"
            for name in phone.notify {
                switch kinds[name] {
                case nil: problems.append("\(file): notify names channel '\(name)', which has no file in \(directory)/")
                case .email?: break
                case let kind? where kind.isBot:
                    if let address = phone.robots[name] {
                        if let problem = kind.problem(with: address) { problems.append("\(file): [robots] \(name): \(problem)") }
                    } else {
                        problems.append("\(file): notify names robot channel '\(name)': give its team robot in [robots] \(name) = \"…\"")
                    }
                case let kind?: problems.append("\(file): notify: '\(name)' is a \(kind.rawValue) channel; use email or robot channels")
                }
            }
            for name in phone.robots.keys.sorted() where !phone.notify.contains(name) {
                problems.append("\(file): [robots] \(name) is not in notify")
            }
            if phone.manager != nil {
                let managerChannel = phone.managerChannel ?? phone.notify.first { kinds[$0] == .email }
                if let name = managerChannel {
                    if kinds[name] != .email { problems.append("\(file): manager_channel '\(name)' is not an email channel") }
                } else {
                    problems.append("\(file): manager needs an email channel: set manager_channel or put one in notify")
                }
            }
        }
        return problems
    }
}

// MARK: - Voice channel files.

extension ConfigLoader {
    /// The keys of a voice channel file: `account_sid`, `auth_token` and `from` are required.
    static func parseVoice(_ reader: inout TOMLReader, provider: ChannelConfig.Provider, baseDirectory: String) -> VoiceSettings {
        var voice = VoiceSettings()
        if let url = baseURL(&reader) { voice.baseURL = url }
        voice.accountSID = reader.string("account_sid")
        voice.authToken = secretReference(&reader, "auth_token", baseDirectory: baseDirectory)
        if provider == .twilio {
            if voice.accountSID == nil { reader.fail("account_sid", "required, e.g. \"AC…\"") }
            if voice.authToken == nil { reader.fail("auth_token", "required, by reference (env:, file: or credential:)") }
        }
        if let from = reader.string("from") {
            if let problem = DestinationRules.phoneProblem(from) { reader.fail("from", problem) } else { voice.from = from }
        } else if provider == .twilio {
            reader.fail("from", "required: the calling number, e.g. \"+14155550100\"")
        }
        if let b = reader.bool("status_callback") { voice.statusCallback = b }
        if let name = reader.string("voice") {
            // It becomes an XML attribute: letters, digits and the separators Twilio's voice names use.
            let plain = !name.isEmpty && name.utf8.allSatisfy { c in
                (c >= 0x61 && c <= 0x7A) || (c >= 0x41 && c <= 0x5A) || (c >= 0x30 && c <= 0x39) || c == 0x2E || c == 0x2D
                    || c == 0x5F
            }
            if plain { voice.voice = name } else {
                reader.fail("voice", "must be a Twilio voice name such as \"alice\" or \"Polly.Zhiyu\"")
            }
        }
        if let n = reader.int("loop", range: 1...5) { voice.loop = n }
        if let b = reader.bool("machine_detection") { voice.machineDetection = b }
        var languages = reader.child("languages")
        for key in languages.table.keys.sorted() {
            guard let language = languages.string(key) else { continue }
            if MessageRequestParser.isLocale(key) && MessageRequestParser.isLocale(language) {
                voice.languages[key] = language
            } else {
                languages.fail(key, "must map a locale to a Twilio language, e.g. zh-CN = \"cmn-CN\"")
            }
        }
        reader.merge(languages)
        return voice
    }
}
