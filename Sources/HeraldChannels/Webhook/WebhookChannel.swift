import Foundation
import HeraldCore

/// The generic webhook channel: a signed JSON POST to the destination URL.
public struct WebhookChannel: Channel {
    public let name: String
    public var kind: ChannelKind { .webhook }
    public let concurrency: Int
    public var attemptTimeout: Int64 { options.timeout }
    let signer: WebhookSigner
    let options: HTTPOptions

    public init(config: ChannelConfig, secret: String) throws(HeraldError) {
        name = config.name
        concurrency = config.concurrency
        signer = try WebhookSigner(secret: secret)
        options = HTTPOptions(
            connectTimeout: config.connectTimeout, timeout: config.timeout, userAgent: config.userAgent,
            blockPrivateAddresses: !config.allowPrivateNetworks)
    }

    public func makeWorker() throws -> any ChannelWorker {
        WebhookWorker(easy: try CurlEasy(), signer: signer, options: options)
    }

    /// Webhooks go out through libcurl's multi interface: one thread keeps `concurrency`
    /// connections busy (in `bench/raw_multi.c`, ~40 % less CPU per request than a thread per
    /// connection, and no context switch per request).
    public func makeMultiSender() throws -> (any ChannelMultiSender)? {
        try WebhookMultiSender(concurrency: concurrency, signer: signer, options: options)
    }
}

/// One thread's webhook sender with its own reused connection.
final class WebhookWorker: ChannelWorker {
    let easy: CurlEasy
    let signer: WebhookSigner
    let options: HTTPOptions

    init(easy: CurlEasy, signer: WebhookSigner, options: HTTPOptions) {
        self.easy = easy
        self.signer = signer
        self.options = options
    }

    func send(_ claimed: ClaimedDelivery, content: RenderedContent) -> ChannelAttempt {
        let now = Timestamps.now()
        let body = WebhookPayload.body(for: claimed, content: content, timestamp: now)
        let headers = signer.headers(id: claimed.delivery.id, body: body, now: now)
        do {
            let response = try easy.post(url: claimed.delivery.destination, headers: headers, body: body, options: options)
            return Self.attempt(response, now: now)
        } catch {
            return Self.attempt(error)
        }
    }

    static func attempt(_ response: HTTPResponse, now: Int64) -> ChannelAttempt {
        ChannelAttempt(outcome: WebhookClassifier.classify(response, now: now), statusCode: response.status)
    }

    static func attempt(_ error: TransportError) -> ChannelAttempt {
        ChannelAttempt(outcome: error.outcome)
    }
}
