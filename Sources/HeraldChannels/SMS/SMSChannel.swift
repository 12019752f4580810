import HeraldCore

/// Text messages through Twilio or Aliyun. The segment count (GSM-7/UCS-2) of the text sent is
/// kept on the delivery: it is what the message costs. With `rate_limit` set, texts per number
/// (or per sender) and window are held to it: one over the limit waits instead of being sent.
public struct SMSChannel: Channel {
    public let name: String
    public var kind: ChannelKind { .sms }
    public let concurrency: Int
    public var attemptTimeout: Int64 { options.timeout }
    let provider: any SMSProvider
    let options: HTTPOptions
    public let receipts: ReceiptCredential?
    /// The channel's own rate limit, when it has one.
    let gate: RateGate?
    let rateScope: SMSSettings.RateScope
    /// What the sender-wide limit is named after (number, messaging service or signature).
    let sender: String

    public init(config: ChannelConfig, credential: String, receiptToken: String? = nil, publicURL: String?) throws(HeraldError) {
        guard let settings = config.sms, let account = settings.accountID else {
            throw .configuration("SMS settings are missing")
        }
        name = config.name
        concurrency = config.concurrency
        gate = settings.rateLimit.map { RateGate(limit: $0, window: settings.rateWindow) }
        rateScope = settings.rateScope
        sender = settings.from ?? settings.messagingServiceSID ?? settings.signName ?? account
        // The API base comes from configuration; destinations are phone numbers only.
        options = HTTPOptions(
            connectTimeout: config.connectTimeout, timeout: max(config.timeout, 1_000), userAgent: config.userAgent,
            blockPrivateAddresses: false)
        switch config.provider {
        case .aliyun:
            guard let signName = settings.signName else { throw .configuration("sign_name is required") }
            provider = AliyunSMS(
                baseURL: settings.baseURL, accessKeyID: account, accessKeySecret: credential, signName: signName,
                region: settings.region, templateCodes: settings.templateCodes)
            receipts = receiptToken.map(ReceiptCredential.aliyunURLToken)
        default:
            provider = TwilioSMS(
                baseURL: settings.baseURL, accountSID: account, authToken: credential, from: settings.from,
                messagingServiceSID: settings.messagingServiceSID,
                statusCallback: settings.statusCallback ? publicURL.map { $0 + "/callbacks/twilio" } : nil)
            receipts = .twilioAuthToken(credential)
        }
    }

    public func makeWorker() throws -> any ChannelWorker {
        SMSWorker(easy: try CurlEasy(), channel: self)
    }

    // MARK: Rate limit

    /// The allowance a text to `destination` counts against.
    func limitKey(_ destination: String) -> String {
        switch rateScope {
        case .recipient: "to:\(destination)"
        case .sender: "from:\(sender)"
        }
    }

    public func admit(_ claimed: ClaimedDelivery, now: Int64) -> ChannelAdmission {
        guard let gate else { return .proceed }
        guard let until = gate.admit(limitKey(claimed.delivery.destination), delivery: claimed.delivery.id, now: now) else {
            return .proceed
        }
        return .wait(
            until: until,
            reason: "rate limit of \(rateSubject(claimed)): \(gate.limit) per \(DurationText.format(gate.window))")
    }

    public var rateWindow: Int64? { gate?.window }
    public var rateLimit: Int? { gate?.limit }

    public func rateKey(_ claimed: ClaimedDelivery) -> String? {
        gate == nil ? nil : "sms:\(name):\(limitKey(claimed.delivery.destination))"
    }

    public func rateSubject(_ claimed: ClaimedDelivery) -> String {
        switch rateScope {
        case .recipient: "number \(Self.masked(claimed.delivery.destination))"
        case .sender: "sender \(sender)"
        }
    }

    public func withdraw(_ claimed: ClaimedDelivery) {
        gate?.withdraw(limitKey(claimed.delivery.destination))
    }

    public func restore(recentSends: [RecentSend], now: Int64) {
        gate?.restore(recentSends.map { (limitKey($0.destination), $0.finishedAt) }, now: now)
    }

    /// A phone number with its middle hidden (`+86138****8000`), for texts people and logs read.
    static func masked(_ number: String) -> String {
        let chars = Array(number)
        guard chars.count > 8 else { return String(chars.prefix(2)) + "****" }
        return String(chars.prefix(chars.count - 8)) + "****" + String(chars.suffix(4))
    }
}

final class SMSWorker: ChannelWorker {
    let easy: CurlEasy
    let channel: SMSChannel

    init(easy: CurlEasy, channel: SMSChannel) {
        self.easy = easy
        self.channel = channel
    }

    func send(_ claimed: ClaimedDelivery, content: RenderedContent) -> ChannelAttempt {
        let text = content.text ?? content.subject ?? ""
        let segments = SMSSegments(text).count
        let key = channel.limitKey(claimed.delivery.destination)
        let request: (url: String, headers: [(String, String)], body: [UInt8])
        do {
            request = try channel.provider.request(to: claimed.delivery.destination, text: text, claimed: claimed, now: Timestamps.now())
        } catch {
            // Nothing went out: the token taken for it is not spent.
            channel.gate?.withdraw(key)
            return ChannelAttempt(outcome: .failed(reason: error.fields.first?.reason ?? error.detail))
        }
        // Whatever happens next, the provider may have counted the request.
        defer { channel.gate?.finished(key, at: Timestamps.now()) }
        do {
            let response = try easy.post(url: request.url, headers: request.headers, body: request.body, options: channel.options)
            return ChannelAttempt(outcome: channel.provider.classify(response), statusCode: response.status, segments: segments)
        } catch {
            // A timeout may have sent it: providers do not deduplicate, so this can cost a duplicate text.
            return ChannelAttempt(outcome: error.outcome, segments: segments)
        }
    }
}
