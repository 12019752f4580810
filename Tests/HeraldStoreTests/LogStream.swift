import Logging

/// A log handler that hands each record to an `AsyncStream`: a test awaits the line it expects
/// instead of polling for it.
struct LogStream: LogHandler {
    struct Record: Sendable {
        var level: Logger.Level
        var message: String
        var metadata: [String: String]
    }

    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .info
    let continuation: AsyncStream<Record>.Continuation

    /// A logger at `level` and the stream of what it logs.
    static func make(level: Logger.Level = .info) -> (Logger, AsyncStream<Record>) {
        let (stream, continuation) = AsyncStream<Record>.makeStream()
        var logger = Logger(label: "herald.store.test") { _ in LogStream(logLevel: level, continuation: continuation) }
        logger.logLevel = level
        return (logger, stream)
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var all = metadata
        if let extra = event.metadata { all.merge(extra) { $1 } }
        continuation.yield(Record(level: event.level, message: "\(event.message)", metadata: all.mapValues { "\($0)" }))
    }
}

extension AsyncStream where Element == LogStream.Record {
    /// The first record that `matches`, or nil when none came within `limit`.
    func first(within limit: Duration = .seconds(30), where matches: @escaping @Sendable (LogStream.Record) -> Bool) async -> LogStream.Record? {
        await withTaskGroup(of: LogStream.Record?.self) { group in
            group.addTask { for await record in self where matches(record) { return record }; return nil }
            group.addTask { try? await Task.sleep(for: limit); return nil }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
    }
}
