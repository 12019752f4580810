import Foundation
import HeraldCore

/// Development provider for any channel kind: writes each delivery to a file instead of sending it,
/// the way web frameworks offer a file mail backend — `<outbox_dir>/<delivery id>.eml` for email
/// (the exact bytes SMTP would carry), `.json` for the others.
public struct OutboxChannel: Channel {
    public let name: String
    public let kind: ChannelKind
    public let concurrency: Int
    public let attemptTimeout: Int64 = 5_000
    let directory: String
    let composer: EmailComposer?
    /// For robot kinds: builds the request body the robot would get.
    let bot: BotChannel?

    public init(config: ChannelConfig, links: LinkBuilder? = nil) throws(HeraldError) {
        bot = config.kind.isBot ? try BotChannel(config: config) : nil
        name = config.name
        kind = config.kind
        concurrency = 1
        directory = config.outboxDirectory
        composer = try config.email.map { settings throws(HeraldError) in try EmailComposer(settings: settings, links: links) }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw .configuration("cannot create the outbox folder \(directory)")
        }
    }

    public func makeWorker() throws -> any ChannelWorker {
        OutboxWorker(directory: directory, composer: composer, bot: bot)
    }
}

final class OutboxWorker: ChannelWorker {
    let directory: String
    let composer: EmailComposer?
    let bot: BotChannel?

    init(directory: String, composer: EmailComposer?, bot: BotChannel?) {
        self.directory = directory
        self.composer = composer
        self.bot = bot
    }

    func send(_ claimed: ClaimedDelivery, content: RenderedContent) -> ChannelAttempt {
        let bytes: [UInt8]
        let path: String
        if let composer {
            do { bytes = try composer.compose(claimed, content: content, now: Timestamps.now()) } catch {
                return ChannelAttempt(outcome: .failed(reason: "cannot build the email: \(error)"))
            }
            path = directory + "/" + claimed.delivery.id + ".eml"
        } else {
            var out = "{\"destination\":"
            JSONValue.writeString(DestinationRules.redacted(claimed.delivery.destination), to: &out)
            out += ",\"payload\":"
            let payload = bot.map { $0.request(for: claimed, content: content, now: Timestamps.now()).body }
                ?? WebhookPayload.body(for: claimed, content: content, timestamp: Timestamps.now())
            out += String(decoding: payload, as: UTF8.self)
            out += "}\n"
            bytes = Array(out.utf8)
            path = directory + "/" + claimed.delivery.id + ".json"
        }
        do {
            try Data(bytes).write(to: URL(fileURLWithPath: path), options: .atomic)
            return ChannelAttempt(outcome: .sent(providerID: path))
        } catch {
            return ChannelAttempt(outcome: .retry(after: nil, reason: "cannot write \(path): \(error.localizedDescription)"))
        }
    }
}
