import Logging
import Synchronization
import Testing

@testable import HeraldServer

@Suite struct LazyMetadataLogHandlerTests {
    /// Collects what a handler writes.
    final class Capture: TextOutputStream, Sendable {
        private let text = Mutex("")
        func write(_ string: String) { text.withLock { $0 += string } }
        var lines: [Substring] { text.withLock { $0 }.split(separator: "\n") }
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String { "disk full" }
    }

    /// The line without its leading local-time timestamp (the two handlers may cross a second).
    static func withoutTimestamp(_ line: Substring) -> Substring {
        line.drop { $0 != " " }
    }

    /// Runs the same sequence of metadata changes and log calls through a `StreamLogHandler` and a
    /// `LazyMetadataLogHandler` and returns both outputs, line by line.
    static func both(provider: Logger.MetadataProvider?, _ steps: (inout Logger) -> Void) -> ([Substring], [Substring]) {
        let reference = Capture()
        let lazy = Capture()
        var stream = Logger(label: "herald.test") { label in
            var handler = StreamLogHandler(label: label, stream: reference, metadataProvider: provider)
            handler.logLevel = .info
            return handler
        }
        var lazyLogger = Logger(label: "herald.test") { label in
            var handler = LazyMetadataLogHandler(label: label, stream: lazy, metadataProvider: provider)
            handler.logLevel = .info
            return handler
        }
        steps(&stream)
        steps(&lazyLogger)
        return (reference.lines.map(withoutTimestamp), lazy.lines.map(withoutTimestamp))
    }

    @Test func writesWhatStreamLogHandlerWrites() {
        let (reference, lazy) = Self.both(provider: nil) { logger in
            logger.info("plain")
            logger[metadataKey: "hb.request.id"] = "42"
            logger[metadataKey: "channel"] = "email"
            logger.debug("below the level")
            logger.warning("with handler metadata")
            logger.error("explicit wins", metadata: ["channel": "sms", "attempt": "2"])
            logger[metadataKey: "channel"] = nil
            // One key per nested dictionary: Swift prints a dictionary in its hash order, which
            // differs between two dictionaries with the same keys, so more would compare by luck.
            logger.notice("after a removal", metadata: ["nested": ["a": ["x", "y"]], "list": ["1", "2"]])
            logger.error("with an error", error: Failure())
        }
        #expect(reference.count == 5)
        #expect(lazy == reference)
        #expect(lazy.contains { $0.contains("attempt=2 channel=sms hb.request.id=42") })
        #expect(!lazy.contains { $0.contains("below the level") })
    }

    @Test func mergesProviderMetadataInStreamLogHandlersOrder() {
        let provider = Logger.MetadataProvider { ["trace": "t-1", "channel": "from-provider"] }
        let (reference, lazy) = Self.both(provider: provider) { logger in
            logger.info("provider only")
            logger[metadataKey: "channel"] = "email"
            logger.info("provider over handler")
            logger.info("call over provider", metadata: ["channel": "webhook"])
        }
        #expect(reference.count == 3)
        #expect(lazy == reference)
        #expect(lazy[1].contains("channel=from-provider"))
        #expect(lazy[2].contains("channel=webhook"))
    }

    /// The stamp is `StreamLogHandler`'s local time, `%Y-%m-%dT%H:%M:%S%z`, made once a second.
    @Test func timestampIsStreamLogHandlersLocalTime() throws {
        // The two handlers write a moment apart: try again if a second ended in between.
        for _ in 0..<5 {
            let reference = Capture()
            let lazy = Capture()
            var stream = StreamLogHandler(label: "t", stream: reference, metadataProvider: nil)
            stream.logLevel = .info
            let handler = LazyMetadataLogHandler(label: "t", stream: lazy, metadataProvider: nil)
            stream.log(event: LogEvent(level: .info, message: "a", metadata: nil, source: "s", file: "f", function: "f", line: 1))
            handler.log(event: LogEvent(level: .info, message: "a", metadata: nil, source: "s", file: "f", function: "f", line: 1))
            handler.log(event: LogEvent(level: .info, message: "b", metadata: nil, source: "s", file: "f", function: "f", line: 2))
            let expected = try #require(reference.lines.first)
            let lines = lazy.lines
            try #require(lines.count == 2)
            let stamp = expected.prefix { $0 != " " }
            #expect(stamp.wholeMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4}/) != nil)
            if lines[0] == expected {
                #expect(lines[1].hasPrefix(stamp) || lines[1].prefix { $0 != " " } > stamp)
                return
            }
        }
        Issue.record("the stamp never matched StreamLogHandler's within one second")
    }

    @Test func levelAndMetadataAreReadBack() {
        var handler = LazyMetadataLogHandler(label: "x", stream: Capture(), metadataProvider: nil)
        handler.logLevel = .warning
        handler[metadataKey: "k"] = "v"
        #expect(handler.logLevel == .warning)
        #expect(handler[metadataKey: "k"] == "v")
        #expect(handler.metadata == ["k": "v"])
    }
}

extension LazyMetadataLogHandlerTests {
    @Test func aValueCannotForgeALineOrDriveTheTerminal() {
        let capture = Capture()
        var logger = Logger(label: "herald.test") { LazyMetadataLogHandler(label: $0, stream: capture, metadataProvider: nil) }
        logger.logLevel = .info
        // A path parameter percent-decoded to a line break, and a reply with an escape sequence.
        logger.notice(
            "suppression removed\nherald: forged", metadata: ["address": "x@y.example\n2026-12-07T00:00:00+0000 critical herald: forged",
                                                              "error": "HTTP 400: \u{1B}[2Jdenied"])
        let lines = capture.lines
        #expect(lines.count == 1)
        #expect(lines.first?.contains("address=x@y.example 2026-12-07T00:00:00+0000 critical herald: forged") == true)
        #expect(lines.first?.contains("error=HTTP 400: \u{FFFD}[2Jdenied") == true)
        #expect(lines.first?.hasSuffix("suppression removed herald: forged") == true)
    }
}
