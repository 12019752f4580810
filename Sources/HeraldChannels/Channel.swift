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
}

/// Delivers on one thread; never shared between threads, so it may hold a curl handle.
public protocol ChannelWorker: AnyObject {
    /// Makes one attempt, blocking the calling thread until it has an outcome.
    /// - Parameters:
    ///   - claimed: the leased delivery and its message.
    ///   - content: the message's subject/text/html rendered with its data.
    func send(_ claimed: ClaimedDelivery, content: RenderedContent) -> ChannelAttempt
}

/// What one attempt produced.
public struct ChannelAttempt: Sendable, Equatable {
    public var outcome: DeliveryOutcome
    /// HTTP status or SMTP reply code, when the provider answered.
    public var statusCode: Int?

    public init(outcome: DeliveryOutcome, statusCode: Int? = nil) {
        self.outcome = outcome
        self.statusCode = statusCode
    }
}
