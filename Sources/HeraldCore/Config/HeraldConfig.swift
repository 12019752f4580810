import Foundation
/// Everything `herald.toml` and `channels/*.toml` configure. Every property has a default,
/// so an empty (or missing) file gives a working daemon on `127.0.0.1:8470` and `./var/herald.db`.
public struct HeraldConfig: Sendable, Equatable {
    /// The HTTP listener and how the outside world reaches it.
    public struct Server: Sendable, Equatable {
        public var host: String
        public var port: Int
        /// Base URL used in links Herald hands out (tracking, unsubscribe).
        public var publicURL: String
        public init(host: String = "127.0.0.1", port: Int = 8470, publicURL: String = "http://127.0.0.1:8470") {
            self.host = host
            self.port = port
            self.publicURL = publicURL
        }
    }

    /// Where state lives.
    public struct Database: Sendable, Equatable {
        /// SQLite file path (absolute after loading).
        public var path: String
        /// Milliseconds a writer waits on a locked database before failing.
        public var busyTimeout: Int64
        /// `postgres://user@host:port/database`: the shared PostgreSQL store instead of the SQLite file.
        public var url: String?
        /// The PostgreSQL password, when the URL carries none (a secret reference: env:, file:).
        public var password: SecretReference?
        /// Connections one instance opens to PostgreSQL at most.
        public var maxConnections: Int
        public init(path: String = "var/herald.db", busyTimeout: Int64 = 5_000, url: String? = nil, maxConnections: Int = 16) {
            self.path = path
            self.busyTimeout = busyTimeout
            self.url = url
            self.maxConnections = maxConnections
        }

        /// Whether the store is PostgreSQL (else the SQLite file at ``path``).
        public var isPostgres: Bool { url != nil }

        /// What the store is, for logs and messages (never the password).
        public var display: String {
            guard let url else { return path }
            guard var parts = URLComponents(string: url) else { return "postgres://…" }
            if parts.password != nil { parts.password = "***" }
            return parts.string ?? "postgres://…"
        }
    }

    /// How the dispatcher claims and leases work.
    public struct Dispatch: Sendable, Equatable {
        /// Most deliveries taken per claim.
        public var claimBatch: Int
        /// How long a claim is leased (ms); an unfinished lease is reclaimed after this.
        public var lease: Int64
        /// Longest sleep between looks for due work (ms); new work wakes the dispatcher at once.
        public var pollInterval: Int64
        /// How long shutdown waits for in-flight attempts (ms).
        public var drainTimeout: Int64
        /// How long finished attempts wait for others before they are recorded together (ms); nil:
        /// 0 on SQLite, 10 on PostgreSQL, where each transaction is round trips to a server.
        public var recordLinger: Int64?
        public init(claimBatch: Int = 256, lease: Int64 = 120_000, pollInterval: Int64 = 1_000, drainTimeout: Int64 = 20_000) {
            self.claimBatch = claimBatch
            self.lease = lease
            self.pollInterval = pollInterval
            self.drainTimeout = drainTimeout
        }
    }

    /// Where message templates live.
    public struct Templates: Sendable, Equatable {
        /// Folder of `<name>/<channel>.<locale>.mustache` files (absolute after loading).
        public var directory: String
        /// Locale used when a template lacks the one a message asks for.
        public var defaultLocale: String
        public init(directory: String = "templates", defaultLocale: String = "en") {
            self.directory = directory
            self.defaultLocale = defaultLocale
        }
    }

    /// Open/click tracking and unsubscribe links.
    public struct Tracking: Sendable, Equatable {
        /// The key that signs tracking and unsubscribe tokens; without one, neither is offered.
        public var key: SecretReference?
        /// Master switch for open pixels and click rewriting (unsubscribe links stay on with a key).
        public var enabled: Bool
        public init(key: SecretReference? = nil, enabled: Bool = true) {
            self.key = key
            self.enabled = enabled
        }
    }

    /// How long history is kept.
    public struct Retention: Sendable, Equatable {
        /// Events and attempts older than this (ms) are purged; nil keeps them forever.
        public var history: Int64?
        /// How often the purge runs (ms).
        public var interval: Int64
        /// Rows deleted per transaction, so a purge never holds the writer for long.
        public var batch: Int
        public init(history: Int64? = nil, interval: Int64 = 3_600_000, batch: Int = 1_000) {
            self.history = history
            self.interval = interval
            self.batch = batch
        }
    }

    /// Guard rails of resends (`[resend]`).
    public struct Resend: Sendable, Equatable {
        /// Resends of one message, each bulk or single resend counting one.
        public var maxPerMessage: Int
        /// Time from the last send (the original or a resend) before another resend (ms).
        public var minInterval: Int64
        /// Most messages one bulk resend may touch.
        public var bulkLimit: Int
        public init(maxPerMessage: Int = 3, minInterval: Int64 = 86_400_000, bulkLimit: Int = 1_000) {
            self.maxPerMessage = maxPerMessage
            self.minInterval = minInterval
            self.bulkLimit = bulkLimit
        }
    }

    /// What the log says about deliveries (`[log]`).
    public struct Log: Sendable, Equatable {
        /// Which attempts get a line.
        public enum Deliveries: String, Sendable, Equatable, CaseIterable {
            /// One line per attempt: `sent` and retries at info, deliveries that end otherwise at warning.
            case all
            /// Only retries and deliveries that end otherwise; `sent` lines go to debug (for high
            /// volumes under journald's per-service rate limit: the database and `/metrics` keep
            /// every attempt).
            case problems
        }
        public var deliveries: Deliveries
        public init(deliveries: Deliveries = .all) { self.deliveries = deliveries }
    }

    public var server: Server
    public var log = Log()
    public var resend = Resend()
    /// Event subscriptions and how their notices are sent.
    public var events = EventSettings()
    public var database: Database
    public var retention: Retention
    public var templates: Templates
    public var tracking: Tracking
    public var dispatch: Dispatch
    public var retry: ExponentialJitterRetryPolicy
    public var limits: MessageLimits
    public var channels: [ChannelConfig]
    /// Value tiers by name (`[tiers.<name>]`).
    public var tiers: [String: TierPlan]
    /// The folder of the main config file; relative paths were resolved against it.
    public var baseDirectory: String
    /// `[digest]`: the CSMs' morning email; nil when not configured.
    public var digest: DigestSettings?

    public init(
        server: Server = Server(),
        database: Database = Database(),
        templates: Templates = Templates(),
        retention: Retention = Retention(),
        tracking: Tracking = Tracking(),
        dispatch: Dispatch = Dispatch(),
        retry: ExponentialJitterRetryPolicy = ExponentialJitterRetryPolicy(),
        limits: MessageLimits = MessageLimits(),
        channels: [ChannelConfig] = [],
        tiers: [String: TierPlan] = [:],
        baseDirectory: String = "."
    ) {
        self.server = server
        self.database = database
        self.templates = templates
        self.retention = retention
        self.tracking = tracking
        self.dispatch = dispatch
        self.retry = retry
        self.limits = limits
        self.channels = channels
        self.tiers = tiers
        self.baseDirectory = baseDirectory
    }

    /// Loads the template library this configuration names.
    public func loadTemplates() throws(HeraldError) -> TemplateLibrary {
        try TemplateLibrary.load(directory: templates.directory, defaultLocale: templates.defaultLocale)
    }

    /// The routing policy of this configuration.
    public var routing: RoutingPolicy { RoutingPolicy(tiers: tiers, channels: channelKinds) }

    /// Channel kinds by channel name, for request validation.
    public var channelKinds: [String: ChannelKind] {
        Dictionary(channels.map { ($0.name, $0.kind) }, uniquingKeysWith: { first, _ in first })
    }
}
