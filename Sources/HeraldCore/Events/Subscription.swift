/// An endpoint that receives delivery events, signed per Standard Webhooks.
/// Declared in `herald.toml` (`[subscriptions.<name>]`) or registered with `POST /v1/subscriptions`.
public struct Subscription: Sendable, Equatable {
    public enum Source: String, Sendable, Equatable {
        /// `herald.toml`: the id is `config:<name>`, the secret a reference resolved at start.
        case config
        /// `POST /v1/subscriptions`: the id is `sub_…`, the secret stored (it signs every request).
        case api
    }

    public var id: String
    public var name: String
    public var url: String
    /// The topics sent; every topic when it holds all of them.
    public var topics: Set<EventTopic>
    /// `whsec_…` (never logged, never returned after creation).
    public var secret: String
    public var source: Source
    /// Whether the URL may point at loopback or private networks.
    public var allowPrivateNetworks: Bool
    public var createdAt: Int64

    public init(
        id: String, name: String, url: String, topics: Set<EventTopic>, secret: String, source: Source,
        allowPrivateNetworks: Bool, createdAt: Int64
    ) {
        self.id = id
        self.name = name
        self.url = url
        self.topics = topics
        self.secret = secret
        self.source = source
        self.allowPrivateNetworks = allowPrivateNetworks
        self.createdAt = createdAt
    }

    /// The id of a subscription declared in `herald.toml`.
    public static func configID(_ name: String) -> String { "config:" + name }
}

/// A subscription as the store's fan-out needs it: which topics go to which id.
public struct SubscriptionRoute: Sendable, Equatable {
    public var id: String
    public var topics: Set<EventTopic>
    public init(id: String, topics: Set<EventTopic>) {
        self.id = id
        self.topics = topics
    }
}
