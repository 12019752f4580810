import HeraldCore

/// Builds the channel instances a configuration names, resolving their secrets.
public enum ChannelFactory {
    /// - Throws: a configuration error naming the channel when a secret cannot be read or is malformed.
    public static func make(
        _ configs: [ChannelConfig], environment: [String: String]
    ) throws(HeraldError) -> [any Channel] {
        var channels: [any Channel] = []
        for config in configs {
            switch (config.kind, config.provider) {
            case (_, .outbox):
                do { channels.append(try OutboxChannel(config: config)) } catch {
                    throw .configuration("channel \(config.name): cannot create outbox folder \(config.outboxDirectory)")
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
            }
        }
        return channels
    }
}
