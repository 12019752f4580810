import HeraldCore

/// Text messages through Twilio or Aliyun. The segment count (GSM-7/UCS-2) of the text sent is
/// kept on the delivery: it is what the message costs.
public struct SMSChannel: Channel {
    public let name: String
    public var kind: ChannelKind { .sms }
    public let concurrency: Int
    public var attemptTimeout: Int64 { options.timeout }
    let provider: any SMSProvider
    let options: HTTPOptions
    /// How this channel's delivery receipts are authenticated (see the server's receipt routes).
    public let receipts: ReceiptCredential?

    /// What proves a delivery receipt came from the provider.
    public enum ReceiptCredential: Sendable, Equatable {
        /// Twilio signs receipts (`X-Twilio-Signature`) with the account's auth token.
        case twilioAuthToken(String)
        /// Aliyun pushes receipts to a URL holding this token.
        case aliyunURLToken(String)
    }

    public init(config: ChannelConfig, credential: String, receiptToken: String? = nil, publicURL: String?) throws(HeraldError) {
        guard let settings = config.sms, let account = settings.accountID else {
            throw .configuration("SMS settings are missing")
        }
        name = config.name
        concurrency = config.concurrency
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
        SMSWorker(easy: try CurlEasy(), provider: provider, options: options)
    }
}

final class SMSWorker: ChannelWorker {
    let easy: CurlEasy
    let provider: any SMSProvider
    let options: HTTPOptions

    init(easy: CurlEasy, provider: any SMSProvider, options: HTTPOptions) {
        self.easy = easy
        self.provider = provider
        self.options = options
    }

    func send(_ claimed: ClaimedDelivery, content: RenderedContent) -> ChannelAttempt {
        let text = content.text ?? content.subject ?? ""
        let segments = SMSSegments(text).count
        do {
            let request = try provider.request(to: claimed.delivery.destination, text: text, claimed: claimed, now: Timestamps.now())
            let response = try easy.post(url: request.url, headers: request.headers, body: request.body, options: options)
            return ChannelAttempt(outcome: provider.classify(response), statusCode: response.status, segments: segments)
        } catch let error as HeraldError {
            return ChannelAttempt(outcome: .failed(reason: error.fields.first?.reason ?? error.detail))
        } catch let error as TransportError {
            // A timeout may have sent it: providers do not deduplicate, so this can cost a duplicate text.
            let outcome: DeliveryOutcome = error.isRetryable ? .retry(after: nil, reason: error.message) : .failed(reason: error.message)
            return ChannelAttempt(outcome: outcome, segments: segments)
        } catch {
            return ChannelAttempt(outcome: .failed(reason: "\(error)"))
        }
    }
}
