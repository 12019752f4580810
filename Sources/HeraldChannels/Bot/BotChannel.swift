import HeraldCore

/// A group-robot channel (WeCom, DingTalk or Feishu): every delivery is one JSON POST to the
/// robot named by its destination, inside the robot's rate limit.
public struct BotChannel: Channel {
    public let name: String
    public var kind: ChannelKind { platform.kind }
    public let concurrency: Int
    public var attemptTimeout: Int64 { options.timeout }
    let platform: any BotPlatform
    let settings: BotSettings
    let options: HTTPOptions
    let gate: BotGate

    public init(config: ChannelConfig) throws(HeraldError) {
        guard let settings = config.bot else { throw .configuration("robot settings are missing") }
        name = config.name
        concurrency = config.concurrency
        self.settings = settings
        switch config.kind {
        case .wecom: platform = WeComRobot()
        case .dingtalk: platform = DingTalkRobot()
        case .feishu: platform = FeishuBot()
        case .webhook, .email, .sms, .phone, .voice: throw .configuration("kind \(config.kind.rawValue) is not a robot")
        }
        // The URL comes from configuration and the robot id is restricted to [A-Za-z0-9_-]:
        // a destination cannot point the request anywhere else, so no address filter is needed.
        options = HTTPOptions(
            connectTimeout: config.connectTimeout, timeout: config.timeout, userAgent: config.userAgent,
            blockPrivateAddresses: false)
        gate = BotGate(settings: .init(
            limit: settings.rateLimit, window: settings.rateWindow, rateLimitedPause: settings.rateLimitedPause,
            recheck: settings.unhealthyRecheck))
    }

    public func makeWorker() throws -> any ChannelWorker {
        BotWorker(easy: try CurlEasy(), channel: self)
    }

    public func admit(_ claimed: ClaimedDelivery, now: Int64) -> ChannelAdmission {
        gate.admit(BotAddress(parsing: claimed.delivery.destination).id, delivery: claimed.delivery.id, now: now)
    }

    public var rateWindow: Int64? { settings.rateWindow }
    public var rateLimit: Int? { settings.rateLimit }

    public func rateKey(_ claimed: ClaimedDelivery) -> String? {
        "\(platform.kind.rawValue):\(BotAddress(parsing: claimed.delivery.destination).id)"
    }

    public func rateSubject(_ claimed: ClaimedDelivery) -> String {
        "robot \(BotAddress(parsing: claimed.delivery.destination).shortID)"
    }

    public func withdraw(_ claimed: ClaimedDelivery) {
        gate.withdraw(BotAddress(parsing: claimed.delivery.destination).id)
    }

    public func restore(recentSends: [RecentSend], now: Int64) {
        gate.restore(recentSends, now: now)
    }

    public func problems() -> [ChannelProblem] { gate.problems() }

    /// The request one delivery makes (also used by tests and the outbox).
    func request(for claimed: ClaimedDelivery, content: RenderedContent, now: Int64) -> BotRequest {
        let address = BotAddress(parsing: claimed.delivery.destination)
        let title = content.subject.flatMap { $0.isEmpty ? nil : $0 }
        let keyed = BotText.withKeyword(content.text ?? title ?? "", title: title, keywords: settings.keywords)
        let body = BotText.fitted(keyed, limit: platform.contentLimit(markdown: content.markdown))
        return platform.request(
            baseURL: settings.baseURL, address: address, title: title, content: body, markdown: content.markdown,
            link: content.link, mentions: Mentions.resolve(claimed.message.mentions, for: platform.kind), now: now)
    }
}

/// One thread's robot sender with its own reused connection.
final class BotWorker: ChannelWorker {
    let easy: CurlEasy
    let channel: BotChannel

    init(easy: CurlEasy, channel: BotChannel) {
        self.easy = easy
        self.channel = channel
    }

    func send(_ claimed: ClaimedDelivery, content: RenderedContent) -> ChannelAttempt {
        let robot = BotAddress(parsing: claimed.delivery.destination).id
        let now = Timestamps.now()
        let request = channel.request(for: claimed, content: content, now: now)
        let verdict: BotVerdict
        var status: Int? = nil
        do {
            let response = try easy.post(
                url: request.url, headers: [("Content-Type", "application/json; charset=utf-8")], body: request.body,
                options: channel.options)
            status = response.status
            verdict = channel.platform.classify(response, now: now)
        } catch {
            verdict = error.isRetryable ? .retry(reason: error.message) : .failed(reason: error.message)
        }
        channel.gate.finished(robot, at: Timestamps.now(), verdict: verdict)
        let outcome: DeliveryOutcome = switch verdict {
        case .accepted: .sent(providerID: nil)
        case .rateLimited(let pause, let reason):
            .retry(after: max(pause ?? 0, channel.settings.rateLimitedPause), reason: reason)
        case .robotRejected(let reason):
            .failed(reason: "\(reason) — robot \(BotAddress(id: robot).shortID) marked unhealthy; its other deliveries wait \(DurationText.format(channel.settings.unhealthyRecheck)) between rechecks")
        case .failed(let reason): .failed(reason: reason)
        case .retry(let reason): .retry(after: nil, reason: reason)
        }
        return ChannelAttempt(outcome: outcome, statusCode: status)
    }
}
