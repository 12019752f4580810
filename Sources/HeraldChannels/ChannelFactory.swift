import HeraldCore

/// Builds the channel instances a configuration names, resolving their secrets.
public enum ChannelFactory {
    /// Phone channels are not built here: their deliveries become tasks (the dispatcher's `PhoneDesk`).
    /// - Throws: a configuration error naming the channel when a secret cannot be read or is malformed.
    public static func make(
        _ configs: [ChannelConfig], environment: [String: String], links: LinkBuilder? = nil, publicURL: String? = nil,
        defaultLocale: String = "en"
    ) throws(HeraldError) -> [any Channel] {
        var channels: [any Channel] = []
        for config in configs where config.kind != .phone {
            do {
                channels.append(try make(
                    config, environment: environment, links: links, publicURL: publicURL ?? links?.publicURL,
                    defaultLocale: defaultLocale))
            } catch {
                throw .configuration("channel \(config.name): \(error.detail)")
            }
        }
        return channels
    }

    private static func make(
        _ config: ChannelConfig, environment: [String: String], links: LinkBuilder?, publicURL: String?, defaultLocale: String
    ) throws(HeraldError) -> any Channel {
        func resolve(_ reference: SecretReference?) throws(HeraldError) -> String? {
            try reference.map { r throws(HeraldError) in try r.resolve(environment: environment) }
        }
        switch (config.kind, config.provider) {
        case (_, .outbox):
            return try OutboxChannel(config: config, links: links)
        case (.webhook, .http):
            guard let secret = try resolve(config.secret) else {
                throw .configuration("'secret' is required (a whsec_ signing secret by reference)")
            }
            return try WebhookChannel(config: config, secret: secret)
        case (.email, .smtp):
            guard let settings = config.email else { throw .configuration("email settings are missing") }
            return try EmailChannel(config: config, settings: settings, password: try resolve(settings.password), links: links)
        case (.wecom, .http), (.dingtalk, .http), (.feishu, .http):
            return try BotChannel(config: config)
        case (.sms, .twilio), (.sms, .aliyun):
            guard let credential = try resolve(config.sms?.credential) else {
                throw .configuration("the provider credential is missing")
            }
            return try SMSChannel(
                config: config, credential: credential, receiptToken: try resolve(config.sms?.receiptToken), publicURL: publicURL)
        case (.voice, .twilio):
            guard let token = try resolve(config.voice?.authToken) else { throw .configuration("the auth token is missing") }
            return try VoiceChannel(config: config, authToken: token, publicURL: publicURL, defaultLocale: defaultLocale)
        default:
            throw .configuration("provider \(config.provider.rawValue) does not fit kind \(config.kind.rawValue)")
        }
    }
}
