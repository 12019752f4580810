import HeraldChannels
import HeraldCore
import HeraldDispatch
import HeraldStore
import Logging

/// What a reload replaces, built and checked as a whole before anything is swapped: the
/// configuration, the channels (secrets resolved), the templates, and what is derived from them.
/// A class: request handlers read ``Runtime/current`` several times per request, and copying a
/// struct of this size retained and released every field of the configuration each time.
public final class RuntimeSnapshot: Sendable {
    public let config: HeraldConfig
    public let channels: [any Channel]
    public let renderer: MessageRenderer
    public let parser: MessageRequestParser
    public let routing: RoutingPolicy
    /// Phone tasks of this configuration's phone channels.
    public let desk: PhoneDesk
    public let resender: Resender

    init(
        config: HeraldConfig, channels: [any Channel], renderer: MessageRenderer, parser: MessageRequestParser,
        routing: RoutingPolicy, desk: PhoneDesk, resender: Resender
    ) {
        self.config = config
        self.channels = channels
        self.renderer = renderer
        self.parser = parser
        self.routing = routing
        self.desk = desk
        self.resender = resender
    }

    /// Builds every part or throws the first problem (a configuration error naming file and reason).
    public static func build(
        config: HeraldConfig, environment: [String: String], store: any Store, links: LinkBuilder?, logger: Logger
    ) throws -> RuntimeSnapshot {
        let channels = try ChannelFactory.make(
            config.channels, environment: environment, links: links, publicURL: config.server.publicURL,
            defaultLocale: config.templates.defaultLocale)
        let renderer = MessageRenderer(library: try config.loadTemplates())
        return RuntimeSnapshot(
            config: config, channels: channels, renderer: renderer,
            parser: MessageRequestParser(channels: config.channelKinds, limits: config.limits, renderer: renderer),
            routing: config.routing, desk: PhoneDesk(config: config, store: store, renderer: renderer, logger: logger),
            resender: Resender(store: store, config: config))
    }
}
