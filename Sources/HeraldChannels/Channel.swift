import HeraldCore

/// One configured channel instance (`channels/<name>.toml`). A channel hands out workers; the
/// dispatcher runs each worker on a thread of its own, `concurrency` of them per channel.
public protocol Channel: Sendable {
    /// The channel name messages use.
    var name: String { get }
    /// The protocol family; decides which template files render for it.
    var kind: ChannelKind { get }
    /// How many workers (threads, connections) deliver in parallel.
    var concurrency: Int { get }
    /// The longest one attempt can take (milliseconds), connect included; leases are sized from it.
    var attemptTimeout: Int64 { get }
    /// A worker for one thread. Workers keep their connection between deliveries.
    func makeWorker() throws -> any ChannelWorker
    /// One sender that keeps `concurrency` attempts in flight from a single thread, for channels
    /// that can (nil: the dispatcher runs `concurrency` workers on threads of their own).
    func makeMultiSender() throws -> (any ChannelMultiSender)?
    /// Whether a delivery may be attempted now (rate limits, unhealthy robots). A delivery told to
    /// wait is postponed without counting an attempt. Called right before the worker's `send`.
    func admit(_ claimed: ClaimedDelivery, now: Int64) -> ChannelAdmission
    /// How far back finished sends still count against rate limits (nil: the channel has none).
    var rateWindow: Int64? { get }
    /// Sends one destination takes per ``rateWindow``.
    var rateLimit: Int? { get }
    /// The name of the limited destination a delivery goes to (a robot), shared by every
    /// instance's limiter; nil when it is not limited.
    func rateKey(_ claimed: ClaimedDelivery) -> String?
    /// The limited destination as people read it ("robot 3f2a…", "number +86138****8000"): never a
    /// credential, since it ends up on the delivery and in logs.
    func rateSubject(_ claimed: ClaimedDelivery) -> String
    /// Takes back an ``admit(_:now:)`` that let the delivery through when the delivery is not sent
    /// after all (the limit shared with other instances said wait).
    func withdraw(_ claimed: ClaimedDelivery)
    /// Seeds rate limits with sends that finished before a restart.
    func restore(recentSends: [RecentSend], now: Int64)
    /// What is wrong with the channel's destinations right now (unhealthy robots), for `/readyz`.
    func problems() -> [ChannelProblem]
    /// How the provider's delivery receipts (or call statuses) to this channel are authenticated;
    /// nil: it gets none (see the server's receipt routes).
    var receipts: ReceiptCredential? { get }
}

/// What proves a delivery receipt came from the provider.
public enum ReceiptCredential: Sendable, Equatable {
    /// Twilio signs receipts and call statuses (`X-Twilio-Signature`) with the account's auth token.
    case twilioAuthToken(String)
    /// Aliyun pushes receipts to a URL holding this token.
    case aliyunURLToken(String)
}

extension Channel {
    public func makeMultiSender() throws -> (any ChannelMultiSender)? { nil }
    public func admit(_ claimed: ClaimedDelivery, now: Int64) -> ChannelAdmission { .proceed }
    public var rateWindow: Int64? { nil }
    public var rateLimit: Int? { nil }
    public func rateKey(_ claimed: ClaimedDelivery) -> String? { nil }
    public func rateSubject(_ claimed: ClaimedDelivery) -> String { "its destination" }
    public func withdraw(_ claimed: ClaimedDelivery) {}
    public func restore(recentSends: [RecentSend], now: Int64) {}
    public func problems() -> [ChannelProblem] { [] }
    public var receipts: ReceiptCredential? { nil }
}

/// The answer to "may this delivery be attempted now?".
public enum ChannelAdmission: Sendable, Equatable {
    case proceed
    /// Postpone it to `until` (epoch ms), no attempt counted; `reason` is shown on the delivery.
    case wait(until: Int64, reason: String)
}

/// Something wrong with one destination of a channel.
public struct ChannelProblem: Sendable, Equatable {
    /// The destination, shortened so that it identifies without disclosing a credential.
    public var destination: String
    public var reason: String
    public var since: Int64

    public init(destination: String, reason: String, since: Int64) {
        self.destination = destination
        self.reason = reason
        self.since = since
    }
}

/// Delivers on one thread; never shared between threads, so it may hold a curl handle.
public protocol ChannelWorker: AnyObject {
    /// Makes one attempt, blocking the calling thread until it has an outcome.
    /// - Parameters:
    ///   - claimed: the leased delivery and its message.
    ///   - content: the message's subject/text/html rendered with its data.
    func send(_ claimed: ClaimedDelivery, content: RenderedContent) -> ChannelAttempt
}

/// Delivers many deliveries at once from one thread (libcurl's multi interface): the dispatcher
/// starts attempts while fewer than ``capacity`` are in flight and collects those that ended.
/// Confined to that thread, except ``wake``.
public protocol ChannelMultiSender: AnyObject {
    /// Attempts in flight at most.
    var capacity: Int { get }
    /// Ends a ``collect(waitingUpTo:)`` that is waiting (new work, shutdown); callable from any thread.
    var wake: @Sendable () -> Void { get }
    /// Starts an attempt; its outcome comes from ``collect(waitingUpTo:)`` under the same `tag`.
    func start(_ claimed: ClaimedDelivery, content: RenderedContent, tag: Int)
    /// Attempts that ended since the last call, waiting up to `milliseconds` when none has.
    func collect(waitingUpTo milliseconds: Int32) -> [(tag: Int, attempt: ChannelAttempt)]
}

/// What one attempt produced.
public struct ChannelAttempt: Sendable, Equatable {
    public var outcome: DeliveryOutcome
    /// HTTP status or SMTP reply code, when the provider answered.
    public var statusCode: Int?
    /// SMS: the parts the message was sent as (what it costs).
    public var segments: Int?

    public init(outcome: DeliveryOutcome, statusCode: Int? = nil, segments: Int? = nil) {
        self.outcome = outcome
        self.statusCode = statusCode
        self.segments = segments
    }
}
