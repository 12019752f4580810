import HeraldCore
import Logging

/// Writes the lines swift-log's `StreamLogHandler` writes, byte for byte, at a fraction of its cost —
/// except that a message or value holding a line break or another control character is written on
/// one line with those cleaned (``DisplayText``), where `StreamLogHandler` would write them raw.
///
/// At the default `info` level the dispatcher logs every delivery, so the handler is on the hot
/// path (session 21, BENCHMARKS.md: `StreamLogHandler` behind the old version of this type took
/// ~8.7 % of the daemon's CPU in a webhook drain, +33 µs per delivery against `warning`). What it
/// did per line, and what this handler does instead:
/// - `localtime` and `strftime` for the timestamp: glibc's `localtime` re-reads the time zone, a
///   `stat` of `/etc/localtime`, on every call. ``LogLineOutput`` formats a second once.
/// - metadata: a metadata change re-rendered the handler's whole metadata (Hummingbird sets a
///   request id on every request's logger). Here it is a dictionary update, and the metadata is
///   merged and rendered only when a line is written, in `StreamLogHandler`'s order (handler <
///   provider < call, then the error's two keys) and sorted by key the same way.
/// - the line was interpolated into a `String`, written with `fwrite` under `flockfile`, then
///   flushed; here it is appended to one byte buffer and handed to ``LogLineOutput`` (one `write`
///   to standard error per line, as before, so nothing waits in a buffer when the process dies).
public struct LazyMetadataLogHandler: LogHandler {
    private let label: String
    private let output: LogLineOutput
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// Lines go to standard error, as `StreamLogHandler.standardError` writes them.
    public static func standardError(label: String) -> LazyMetadataLogHandler {
        LazyMetadataLogHandler(label: label, output: .standardError, metadataProvider: LoggingSystem.metadataProvider)
    }

    /// Lines go to `stream` (tests read them back).
    public init(label: String, stream: any TextOutputStream & Sendable, metadataProvider: Logger.MetadataProvider?) {
        self.init(label: label, output: LogLineOutput(stream: stream), metadataProvider: metadataProvider)
    }

    private init(label: String, output: LogLineOutput, metadataProvider: Logger.MetadataProvider?) {
        self.label = label
        self.output = output
        self.metadataProvider = metadataProvider
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get(), !provided.isEmpty {
            merged.merge(provided) { _, provided in provided }
        }
        if let explicit = event.metadata, !explicit.isEmpty {
            merged.merge(explicit) { _, explicit in explicit }
        }
        if let error = event.error {
            merged["error.message"] = "\(error)"
            merged["error.type"] = "\(String(reflecting: type(of: error)))"
        }
        var line: [UInt8] = []
        line.reserveCapacity(160)
        output.appendTimestamp(to: &line)
        line.append(0x20)
        line.append(contentsOf: event.level.rawValue.utf8)
        if !label.isEmpty { line.append(0x20) }
        line.append(contentsOf: label.utf8)
        line.append(0x3A)  // ':'
        for (key, value) in merged.sorted(by: { $0.key < $1.key }) {
            line.append(0x20)
            line.append(contentsOf: key.utf8)
            line.append(0x3D)  // '='
            // One line per event, whatever a value holds: a line break or an escape sequence in a
            // value (an address from a URL, a remote server's words) cannot forge a log line or
            // drive the terminal that tails it. Clean text (nearly all) is written unchanged.
            switch value {
            case .string(let text): line.append(contentsOf: DisplayText.line(text).utf8)
            default: line.append(contentsOf: DisplayText.line(value.description).utf8)
            }
        }
        line.append(contentsOf: " [".utf8)
        line.append(contentsOf: event.source.utf8)
        line.append(contentsOf: "] ".utf8)
        line.append(contentsOf: DisplayText.line(event.message.description).utf8)
        line.append(0x0A)
        output.write(line)
    }
}
