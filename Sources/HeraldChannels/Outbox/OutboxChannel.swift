import Foundation
import HeraldCore

/// Development provider for any channel kind: writes each delivery to `<outbox_dir>/<delivery id>.json`
/// instead of sending it, the way web frameworks offer a file mail backend.
public struct OutboxChannel: Channel {
    public let name: String
    public let concurrency: Int
    public let attemptTimeout: Int64 = 5_000
    let directory: String

    public init(config: ChannelConfig) throws {
        name = config.name
        concurrency = 1
        directory = config.outboxDirectory
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    public func makeWorker() throws -> any ChannelWorker {
        OutboxWorker(directory: directory)
    }
}

final class OutboxWorker: ChannelWorker {
    let directory: String

    init(directory: String) {
        self.directory = directory
    }

    func send(_ claimed: ClaimedDelivery, content: RenderedContent) -> ChannelAttempt {
        var out = "{\"destination\":"
        JSONValue.writeString(claimed.delivery.destination, to: &out)
        out += ",\"payload\":"
        out += String(decoding: WebhookPayload.body(for: claimed, content: content, timestamp: Timestamps.now()), as: UTF8.self)
        out += "}\n"
        let path = directory + "/" + claimed.delivery.id + ".json"
        do {
            try Data(out.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
            return ChannelAttempt(outcome: .sent(providerID: path))
        } catch {
            return ChannelAttempt(outcome: .retry(after: nil, reason: "cannot write \(path): \(error.localizedDescription)"))
        }
    }
}
