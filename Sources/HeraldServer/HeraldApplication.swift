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
/// run by one `ServiceGroup` that drains gracefully on SIGTERM/SIGINT and reloads on SIGHUP.
public struct HeraldApplication: Sendable {
    public let config: HeraldConfig
    /// The file the configuration came from (read again by a reload); nil: defaults, not reloadable.
    public let configPath: String?
    public let store: any Store
    /// Templates, channels, tiers and what derives from them; replaced whole by ``reload()``.
    public let runtime: Runtime
    /// Runs the dispatcher of the current runtime; a reload drains it and starts the next.
    public let supervisor: DispatchSupervisor
    /// Sends delivery events to subscriptions.
    public let relay: EventRelay
    /// Signs tracking and unsubscribe links; nil without `[tracking] key`.
    public let links: LinkBuilder?
    /// Exported at `/metrics` (swift-metrics is bootstrapped with it by `herald serve`).
    public let metrics: PrometheusCollectorRegistry
    /// Signs dashboard sessions (derived from the tracking key when there is one).
    let dashboardKeys: DashboardKeys
    let dashboardViews: DashboardViews
    let environment: [String: String]
    let notifier: SystemdNotifier
    let wakeup = Signal()
    let reloads = ReloadGate()
    /// Held while serving a SQLite file: restores and a second daemon on the same file are refused.
    /// (Instances sharing PostgreSQL take no lock: that is the point of it.)
    let lock: DaemonLock?
    let logger: Logger

    /// Opens and migrates the store and builds every channel. Throws (with a message an operator
    /// can act on) when the database cannot be opened or a channel is misconfigured.
    public init(
        config: HeraldConfig, configPath: String? = nil, environment: [String: String], logger: Logger,
        metrics: PrometheusCollectorRegistry = PrometheusCollectorRegistry()
    ) async throws {
        self.config = config
        self.configPath = configPath
        self.environment = environment
        self.metrics = metrics
        self.logger = logger
        if config.database.isPostgres {
            lock = nil
        } else {
            let lock = try DaemonLock(databasePath: config.database.path)
            guard lock.tryAcquire() else {
                throw HeraldError.unavailable("another herald is serving \(config.database.path) (\(config.database.path).lock is held)")
            }
            self.lock = lock
        }
        let store = try StoreOpener.open(
            config.database, wakeHorizon: config.dispatch.pollInterval, environment: environment, logger: logger)
        try await store.migrate()
        self.store = store
        let trackingSecret = try config.tracking.key?.resolve(environment: environment)
        dashboardKeys = DashboardKeys(secret: trackingSecret)
        dashboardViews = try DashboardViews()
        if let trackingSecret {
            let signer = try LinkSigner(secret: trackingSecret)
            links = LinkBuilder(signer: signer, publicURL: config.server.publicURL, trackingEnabled: config.tracking.enabled)
        } else {
            links = nil
            logger.notice(
                "no [tracking] key: emails carry no open/click tracking and no unsubscribe link, and the secrets of API subscriptions are stored unsealed")
        }
        let snapshot = try RuntimeSnapshot.build(config: config, environment: environment, store: store, links: links, logger: logger)
        runtime = Runtime(snapshot)
        notifier = SystemdNotifier(environment: environment)
        let secrets = SubscriptionSecrets(store: store, trackingKey: trackingSecret)
        let sealed = try await secrets.sealStored()
        if sealed > 0 {
            logger.notice("sealed the signing secrets of API subscriptions stored before", metadata: ["count": "\(sealed)"])
        }
        relay = EventRelay(
            store: store, settings: config.events, declared: try EventRelay.resolve(config.events), secrets: secrets, logger: logger)
        supervisor = DispatchSupervisor(Self.dispatcher(for: snapshot, store: store, notifier: notifier, wakeup: wakeup, logger: logger), logger: logger)
    }

    static func dispatcher(
        for snapshot: RuntimeSnapshot, store: any Store, notifier: SystemdNotifier, wakeup: Signal, logger: Logger
    ) -> Dispatcher {
        // Before the configured poll interval can outlast the watchdog, wake the loop often enough.
        var options = Dispatcher.Options(config: snapshot.config, renderer: snapshot.renderer)
        if let interval = notifier.watchdogInterval { options.pollInterval = min(options.pollInterval, max(interval / 4, 10)) }
        return Dispatcher(
            store: store, channels: snapshot.channels, options: options, logger: logger, desk: snapshot.desk, wakeup: wakeup,
            heartbeat: { notifier.pingWatchdog(now: Timestamps.now()) })
    }

    /// The HTTP router with every route.
    public func router(benchEndpoints: Bool = false) -> Router<HeraldRequestContext> {
        let router = Router(context: HeraldRequestContext.self)
        router.add(middleware: ProblemMiddleware())
        router.add(middleware: AuthMiddleware(store: store))
        let clients = ClientCache()
        MessageRoutes(store: store, runtime: runtime, clients: clients, wakeup: wakeup).register(on: router)
        ClientRoutes(store: store, runtime: runtime, cache: clients).register(on: router)
        TaskRoutes(store: store, runtime: runtime).register(on: router)
        DigestRoutes(store: store, runtime: runtime).register(on: router)
        TimelineRoutes(store: store, links: DashboardLinks(publicURL: config.server.publicURL)).register(on: router)
        StatsRoutes(store: store, runtime: runtime).register(on: router)
        SubscriptionRoutes(store: store, relay: relay, settings: config.events).register(on: router)
        SuppressionRoutes(store: store, logger: logger).register(on: router)
        TokenRoutes(store: store, logger: logger).register(on: router)
        AuditRoutes(store: store).register(on: router)
        ErasureRoutes(store: store, clients: clients).register(on: router)
        BounceRoutes(store: store, logger: logger).register(on: router)
        ResendRoutes(runtime: runtime, wakeup: wakeup).register(on: router)
        RedriveRoutes(store: store, runtime: runtime, wakeup: wakeup).register(on: router)
        QueueRoutes(store: store, runtime: runtime).register(on: router)
        let counts = QueueDepthCache(store: store)
        HealthRoutes(store: store, runtime: runtime, counts: counts).register(on: router)
        MetricsRoutes(store: store, counts: counts, registry: metrics).register(on: router)
        OpenAPIRoutes().register(on: router)
        ReloadRoutes(reload: { actor in try await reload(actor: actor) }).register(on: router)
        ReceiptRoutes(store: store, runtime: runtime, publicURL: config.server.publicURL, logger: logger).register(on: router)
        InboundSMSRoutes(store: store, runtime: runtime, publicURL: config.server.publicURL, logger: logger).register(on: router)
        if let links {
            TrackingRoutes(store: store, signer: links.signer).register(on: router)
            UnsubscribeRoutes(store: store, signer: links.signer).register(on: router)
        }
        DashboardRoutes(
            store: store, runtime: runtime, wakeup: wakeup, keys: dashboardKeys, views: dashboardViews,
            secureCookies: config.server.publicURL.hasPrefix("https://")
        ).register(on: router)
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
                    .init(service: supervisor), .init(service: app),
                    .init(service: SystemdService(notifier: notifier, store: store, logger: logger)),
                    .init(service: RetentionService(store: store, retention: config.retention, logger: logger)),
                    .init(service: DigestService(current: { [runtime, store] in
                        let snapshot = runtime.current
                        return snapshot.config.digest.map {
                            CSMDigest(config: snapshot.config, store: store, renderer: snapshot.renderer, settings: $0)
                        }
                    }, logger: logger)),
                    .init(service: relay),
                    .init(service: WorkWatcher(store: store, wakeup: wakeup, logger: logger)),
                    .init(service: ReloadService(reload: { _ = try await reload(actor: "signal:SIGHUP") }, logger: logger)),
                ],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        try await group.run()
        try await store.close()
        logger.info("stopped")
    }
}
