/// Size limits on one message request. Defaults suit a production gateway; `herald.toml`
/// can lower or raise them under `[limits]`.
public struct MessageLimits: Sendable, Equatable {
    /// Largest request body in bytes (single message).
    public var maximumBodyBytes: Int
    /// Largest batch request body in bytes.
    public var maximumBatchBodyBytes: Int
    /// Most messages in one batch.
    public var maximumBatchSize: Int
    /// Longest subject, in characters.
    public var maximumSubjectLength: Int
    /// Longest `text` or `html`, in UTF-8 bytes.
    public var maximumContentBytes: Int
    /// Largest `data` object, in bytes of canonical JSON.
    public var maximumDataBytes: Int
    /// Most destinations one message may expand to.
    public var maximumDestinations: Int

    public init(
        maximumBodyBytes: Int = 1 << 20,
        maximumBatchBodyBytes: Int = 32 << 20,
        maximumBatchSize: Int = 1000,
        maximumSubjectLength: Int = 998,
        maximumContentBytes: Int = 256 << 10,
        maximumDataBytes: Int = 64 << 10,
        maximumDestinations: Int = 100
    ) {
        self.maximumBodyBytes = maximumBodyBytes
        self.maximumBatchBodyBytes = maximumBatchBodyBytes
        self.maximumBatchSize = maximumBatchSize
        self.maximumSubjectLength = maximumSubjectLength
        self.maximumContentBytes = maximumContentBytes
        self.maximumDataBytes = maximumDataBytes
        self.maximumDestinations = maximumDestinations
    }
}
