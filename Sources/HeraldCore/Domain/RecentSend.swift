/// An attempt that finished recently, as rate limits need it after a restart.
public struct RecentSend: Sendable, Equatable {
    public var destination: String
    /// Epoch ms when the attempt finished.
    public var finishedAt: Int64

    public init(destination: String, finishedAt: Int64) {
        self.destination = destination
        self.finishedAt = finishedAt
    }
}
