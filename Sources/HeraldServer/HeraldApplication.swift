import Foundation
import HeraldChannels
import HeraldCore
import HeraldDispatch
import HeraldStore
import Hummingbird
import Logging
import Prometheus
import ServiceLifecycle
import UnixSignals

/// Wires a configuration into a running daemon: store, channels, dispatcher and HTTP server,
/// run by one `ServiceGroup` that drains gracefully on SIGTERM/SIGINT.
public struct HeraldApplication {
    public let config: HeraldConfig
    public let store: any Store
    public let dispatcher: Dispatcher
    public let channels: [any Channel]
    public let renderer: MessageRenderer
    /// Phone tasks: opened by the dispatcher, completed through the API.
    public let desk: PhoneDesk
    /// Sends delivery events to subscriptions.
    public let relay: EventRelay
    /// Signs tracking and unsubscribe links; nil without `[tracking] key`.
    public let links: LinkBuilder?
    /// Exported at `/metrics` (swift-metrics is bootstrapped with it by `herald serve`).
    public let metrics: PrometheusCollectorRegistry
    let notifier: SystemdNotifier
    /// Held while serving: restores and a second daemon on the same file are refused.
    let lock: DaemonLock
    let logger: Logger

    /// Opens and migrates the store and builds every channel. Throws (with a message an operator
    /// can act on) when the database cannot be opened or a channel is misconfigured.
    public init(
        config: HeraldConfig, environment: [String: String], logger: Logger,
        metrics: PrometheusCollectorRegistry = PrometheusCollectorRegistry()
    ) async throws {
        self.config = config
        self.metrics = metrics
        self.logger = logger
        let lock = try DaemonLock(databasePath: config.database.path)
        guard lock.tryAcquire() else {
            throw HeraldError.unavailable("another herald is serving \(config.database.path) (\(config.database.path).lock is held)")
        }
        self.lock = lock
        let store = try SQLiteStore(path: config.database.path, busyTimeout: config.database.busyTimeout, logger: logger)
        try await store.migrate()
        self.store = store
        if let reference = config.tracking.key {
            let signer = try LinkSigner(secret: try reference.resolve(environment: environment))
            links = LinkBuilder(signer: signer, publicURL: config.server.publicURL, trackingEnabled: config.tracking.enabled)
        } else {
            links = nil
            logger.notice("no [tracking] key: emails carry no open/click tracking and no unsubscribe link")
        }
        let channels = try ChannelFactory.make(
            config.channels, environment: environment, links: links, publicURL: config.server.publicURL)
        self.channels = channels
        renderer = MessageRenderer(library: try config.loadTemplates())
        let notifier = SystemdNotifier(environment: environment)
        self.notifier = notifier
        // Before the configured poll interval can outlast the watchdog, wake the loop often enough.
        var options = Dispatcher.Options(config: config, renderer: renderer)
        if let interval = notifier.watchdogInterval { options.pollInterval = min(options.pollInterval, max(interval / 4, 10)) }
        desk = PhoneDesk(config: config, store: store, renderer: renderer, logger: logger)
        relay = EventRelay(
            store: store, settings: config.events, declared: try EventRelay.resolve(config.events),
            logger: logger)
        dispatcher = Dispatcher(
            store: store, channels: channels, options: options, logger: logger, desk: desk,
            heartbeat: { notifier.pingWatchdog(now: Timestamps.now()) })
    }

    /// The HTTP router with every route.
    public func router(benchEndpoints: Bool = false) -> Router<HeraldRequestContext> {
        let router = Router(context: HeraldRequestContext.self)
        router.add(middleware: ProblemMiddleware())
        router.add(middleware: AuthMiddleware(store: store))
        let parser = MessageRequestParser(channels: config.channelKinds, limits: config.limits, renderer: renderer)
        let clients = ClientCache()
        MessageRoutes(store: store, parser: parser, routing: config.routing, clients: clients, wakeup: dispatcher.wakeup)
            .register(on: router)
        ClientRoutes(store: store, config: config, cache: clients).register(on: router)
        TaskRoutes(store: store, desk: desk).register(on: router)
        TimelineRoutes(store: store).register(on: router)
        StatsRoutes(store: store, defaultLocale: config.templates.defaultLocale).register(on: router)
        SubscriptionRoutes(store: store, relay: relay, settings: config.events).register(on: router)
        ResendRoutes(resender: Resender(store: store, config: config), wakeup: dispatcher.wakeup).register(on: router)
        HealthRoutes(store: store, channels: channels).register(on: router)
        MetricsRoutes(store: store, registry: metrics).register(on: router)
        OpenAPIRoutes().register(on: router)
        ReceiptRoutes(store: store, channels: channels, publicURL: config.server.publicURL, logger: logger).register(on: router)
        if let links {
            TrackingRoutes(store: store, signer: links.signer).register(on: router)
            UnsubscribeRoutes(store: store, signer: links.signer).register(on: router)
        }
        if benchEndpoints { BenchRoutes(limit: config.limits.maximumBodyBytes).register(on: router) }
        return router
    }

    /// Runs until SIGTERM/SIGINT, then stops accepting requests, drains the dispatcher and returns.
    public func run(benchEndpoints: Bool = false) async throws {
        let logger = self.logger
        let address = "\(config.server.host):\(config.server.port)"
        let app = Application(
            router: router(benchEndpoints: benchEndpoints),
            configuration: .init(address: .hostname(config.server.host, port: config.server.port), serverName: "Herald"),
            onServerRunning: { [notifier] _ in
                logger.info("listening", metadata: ["address": "\(address)"])
                notifier.send(["READY=1", "STATUS=listening on \(address)"])
            },
            logger: logger)
        // Services stop in reverse order: the HTTP server first, then the dispatcher drains.
        let group = ServiceGroup(
            configuration: .init(
                services: [
                    .init(service: dispatcher), .init(service: app),
                    .init(service: SystemdService(notifier: notifier, store: store, logger: logger)),
                    .init(service: RetentionService(store: store, retention: config.retention, logger: logger)),
                    .init(service: relay),
                ],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        try await group.run()
        try await store.close()
        logger.info("stopped")
    }
}
