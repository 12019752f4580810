import Logging

/// swift-log's `StreamLogHandler`, with the same output, but the logger's metadata is formatted
/// only when a line is written.
///
/// `StreamLogHandler` re-renders its whole metadata into a sorted string every time a key is set.
/// Hummingbird sets a request id on every request's logger, so at the usual `info`/`warning`
/// level each request paid for formatting metadata that no line printed (~2 % of an enqueue's
/// CPU in a perf profile). Here a metadata change is a dictionary update; at `log` time the
/// handler's metadata, the provider's and the call's are merged in `StreamLogHandler`'s order
/// (handler < provider < call) and handed to an inner `StreamLogHandler` that holds none of its
/// own, so the line is byte for byte what `StreamLogHandler` would write.
public struct LazyMetadataLogHandler: LogHandler {
    private var inner: StreamLogHandler
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?

    public var logLevel: Logger.Level {
        get { inner.logLevel }
        set { inner.logLevel = newValue }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// Lines go to standard error, as `StreamLogHandler.standardError` writes them.
    public static func standardError(label: String) -> LazyMetadataLogHandler {
        LazyMetadataLogHandler(
            inner: StreamLogHandler.standardError(label: label, metadataProvider: nil),
            metadataProvider: LoggingSystem.metadataProvider)
    }

    /// Lines go to `stream` (tests read them back).
    public init(label: String, stream: any TextOutputStream & Sendable, metadataProvider: Logger.MetadataProvider?) {
        self.init(inner: StreamLogHandler(label: label, stream: stream, metadataProvider: nil), metadataProvider: metadataProvider)
    }

    private init(inner: StreamLogHandler, metadataProvider: Logger.MetadataProvider?) {
        self.inner = inner
        self.metadataProvider = metadataProvider
    }

    public func log(event: LogEvent) {
        var event = event
        let provided = metadataProvider?.get() ?? [:]
        if !metadata.isEmpty || !provided.isEmpty {
            var merged = metadata
            if !provided.isEmpty { merged.merge(provided) { _, provided in provided } }
            if let explicit = event.metadata { merged.merge(explicit) { _, explicit in explicit } }
            event.metadata = merged
        }
        inner.log(event: event)
    }
}
