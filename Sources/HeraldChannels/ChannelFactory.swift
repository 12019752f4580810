import HeraldCore

/// Builds the channel instances a configuration names, resolving their secrets.
public enum ChannelFactory {
    /// - Throws: a configuration error naming the channel when a secret cannot be read or is malformed.
    public static func make(
        _ configs: [ChannelConfig], environment: [String: String], links: LinkBuilder? = nil, publicURL: String? = nil
    ) throws(HeraldError) -> [any Channel] {
        var channels: [any Channel] = []
        for config in configs {
            switch (config.kind, config.provider) {
            case (_, .outbox):
                do { channels.append(try OutboxChannel(config: config, links: links)) } catch {
                    throw .configuration("channel \(config.name): \(error.detail)")
                }
            case (.webhook, .http):
                guard let reference = config.secret else {
                    throw .configuration("channel \(config.name): 'secret' is required (a whsec_ signing secret by reference)")
                }
                let secret: String
                do { secret = try reference.resolve(environment: environment) } catch {
                    throw .configuration("channel \(config.name): \(error.detail)")
                }
                do { channels.append(try WebhookChannel(config: config, secret: secret)) } catch {
                    throw .configuration("channel \(config.name): \(error.detail)")
                }
            case (.email, .smtp):
                guard let settings = config.email else {
                    throw .configuration("channel \(config.name): email settings are missing")
                }
                var password: String? = nil
                if let reference = settings.password {
                    do { password = try reference.resolve(environment: environment) } catch {
                        throw .configuration("channel \(config.name): \(error.detail)")
                    }
                }
                do { channels.append(try EmailChannel(config: config, settings: settings, password: password, links: links)) } catch {
                    throw .configuration("channel \(config.name): \(error.detail)")
                }
            case (.wecom, .http), (.dingtalk, .http), (.feishu, .http):
                do { channels.append(try BotChannel(config: config)) } catch {
                    throw .configuration("channel \(config.name): \(error.detail)")
                }
            case (.sms, .twilio), (.sms, .aliyun):
                guard let reference = config.sms?.credential else {
                    throw .configuration("channel \(config.name): the provider credential is missing")
                }
                do {
                    let credential = try reference.resolve(environment: environment)
                    channels.append(try SMSChannel(config: config, credential: credential, publicURL: publicURL ?? links?.publicURL))
                } catch {
                    throw .configuration("channel \(config.name): \(error.detail)")
                }
            default:
                throw .configuration("channel \(config.name): provider \(config.provider.rawValue) does not fit kind \(config.kind.rawValue)")
            }
        }
        return channels
    }
}
