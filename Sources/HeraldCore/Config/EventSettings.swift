/// How event notices reach subscriptions (`[events]` and `[subscriptions.<name>]` in herald.toml).
public struct EventSettings: Sendable, Equatable {
    /// One `[subscriptions.<name>]` table.
    public struct Declared: Sendable, Equatable {
        public var name: String
        public var url: String
        public var topics: Set<EventTopic>
        /// `whsec_…` by reference.
        public var secret: SecretReference
        public init(name: String, url: String, topics: Set<EventTopic>, secret: SecretReference) {
            self.name = name
            self.url = url
            self.topics = topics
            self.secret = secret
        }
    }

    /// Retries of a notice the receiver did not take (any answer but 2xx); then it is dead-lettered.
    public var retry: ExponentialJitterRetryPolicy
    /// Whole-request timeout, milliseconds.
    public var timeout: Int64
    /// Notices posted at once (worker threads, each with a reused connection).
    public var concurrency: Int
    /// Whether subscriptions registered through the API may point at loopback or private networks
    /// (those in herald.toml always may: the operator wrote them).
    public var allowPrivateNetworks: Bool
    /// How often the relay looks for new events (ms).
    public var pollInterval: Int64
    public var declared: [Declared]

    public init(
        retry: ExponentialJitterRetryPolicy = ExponentialJitterRetryPolicy(
            maxAttempts: 10, base: 5_000, maxBackoff: 3_600_000, maxAge: 259_200_000),
        timeout: Int64 = 10_000, concurrency: Int = 4, allowPrivateNetworks: Bool = false, pollInterval: Int64 = 250,
        declared: [Declared] = []
    ) {
        self.retry = retry
        self.timeout = timeout
        self.concurrency = concurrency
        self.allowPrivateNetworks = allowPrivateNetworks
        self.pollInterval = pollInterval
        self.declared = declared
    }
}
