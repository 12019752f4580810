/// What one attempt of a channel produced. Classification of provider errors (HTTP status,
/// SMTP reply, bot errcode) into these three happens in the channel adapter.
public enum DeliveryOutcome: Sendable, Equatable {
    /// The provider accepted it; its id for the message if it gave one.
    case sent(providerID: String?)
    /// A transient failure: try again, no earlier than `after` milliseconds if the provider said so.
    case retry(after: Int64?, reason: String)
    /// A permanent failure: never retry.
    case failed(reason: String)
    /// The provider refused the address itself (hard bounce): fail, and suppress the address
    /// for every later message.
    case bounced(reason: String)
    /// The recipient told the provider to stop (an SMS STOP reply, Twilio 21610): fail (the
    /// fallback chain goes on), and suppress the address on this channel only.
    case optedOut(reason: String)
    /// The recipient told the provider they want no promotional texts (Aliyun
    /// `isv.CUSTOMER_REFUSED`): fail (the fallback chain goes on), and suppress the address for
    /// marketing messages; transactional ones still go to it.
    case optedOutOfMarketing(reason: String)

    /// The outcome with its reason as one line without control characters, at most 1,000
    /// characters (``DisplayText``): reasons quote remote servers and end up in the API, the
    /// CLI's tables and the log.
    public var displayable: DeliveryOutcome {
        switch self {
        case .sent: self
        case .retry(let after, let reason): .retry(after: after, reason: DisplayText.line(reason, limit: 1_000))
        case .failed(let reason): .failed(reason: DisplayText.line(reason, limit: 1_000))
        case .bounced(let reason): .bounced(reason: DisplayText.line(reason, limit: 1_000))
        case .optedOut(let reason): .optedOut(reason: DisplayText.line(reason, limit: 1_000))
        case .optedOutOfMarketing(let reason): .optedOutOfMarketing(reason: DisplayText.line(reason, limit: 1_000))
        }
    }
}

/// One finished attempt, as a worker reports it to the recorder.
public struct AttemptReport: Sendable, Equatable {
    public var deliveryID: String
    public var messageID: String
    public var channel: String
    /// 1-based attempt number.
    public var number: Int
    public var startedAt: Int64
    public var durationMillis: Int64
    /// HTTP status or SMTP reply code, when there was one.
    public var statusCode: Int?
    public var outcome: DeliveryOutcome
    /// SMS: the parts the message was sent as.
    public var segments: Int?

    public init(
        deliveryID: String, messageID: String, channel: String, number: Int, startedAt: Int64, durationMillis: Int64,
        statusCode: Int?, outcome: DeliveryOutcome, segments: Int? = nil
    ) {
        self.segments = segments
        self.deliveryID = deliveryID
        self.messageID = messageID
        self.channel = channel
        self.number = number
        self.startedAt = startedAt
        self.durationMillis = durationMillis
        self.statusCode = statusCode
        self.outcome = outcome
    }
}
