import HeraldCore

/// The email channel over SMTP (libcurl): plain, STARTTLS or implicit TLS, optional AUTH, one kept-open
/// connection per worker.
public struct EmailChannel: Channel {
    public let name: String
    public var kind: ChannelKind { .email }
    public let concurrency: Int
    public let attemptTimeout: Int64
    let composer: EmailComposer
    let envelopeFrom: String
    let options: SMTPOptions

    public init(config: ChannelConfig, settings: EmailSettings, password: String?, links: LinkBuilder?) throws(HeraldError) {
        name = config.name
        concurrency = config.concurrency
        attemptTimeout = config.connectTimeout + config.timeout
        composer = try EmailComposer(settings: settings, links: links)
        envelopeFrom = settings.bounceAddress ?? composer.from.address
        options = SMTPOptions(
            url: settings.smtpURL, startTLS: settings.startTLS, username: settings.username, password: password,
            caFile: settings.caFile, connectTimeout: config.connectTimeout, timeout: config.timeout)
    }

    public func makeWorker() throws -> any ChannelWorker {
        EmailWorker(easy: try CurlEasy(), channel: self)
    }
}

final class EmailWorker: ChannelWorker {
    let easy: CurlEasy
    let channel: EmailChannel

    init(easy: CurlEasy, channel: EmailChannel) {
        self.easy = easy
        self.channel = channel
    }

    func send(_ claimed: ClaimedDelivery, content: RenderedContent) -> ChannelAttempt {
        let bytes: [UInt8]
        do {
            bytes = try channel.composer.compose(claimed, content: content, now: Timestamps.now())
        } catch {
            return ChannelAttempt(outcome: .failed(reason: "cannot build the email: \(error)"))
        }
        let reply = easy.sendMail(
            envelopeFrom: channel.envelopeFrom, recipients: [claimed.delivery.destination], message: bytes,
            options: channel.options)
        return ChannelAttempt(outcome: SMTPClassifier.classify(reply), statusCode: reply.code == 0 ? nil : reply.code)
    }
}
