/// Settings of an SMS channel (`kind = "sms"`, `provider = "twilio" | "aliyun"`).
public struct SMSSettings: Sendable, Equatable {
    /// API base: `https://api.twilio.com` or `https://dysmsapi.aliyuncs.com`; override for a test peer.
    public var baseURL: String
    /// Twilio Account SID, or Aliyun AccessKey ID.
    public var accountID: String?
    /// Twilio auth token, or Aliyun AccessKey secret, by reference.
    public var credential: SecretReference?
    /// Twilio: the sending number (E.164), or a Messaging Service instead.
    public var from: String?
    public var messagingServiceSID: String?
    /// Twilio: ask for delivery receipts at `<public_url>/callbacks/twilio`.
    public var statusCallback: Bool
    /// Aliyun: the approved signature (签名) and region.
    public var signName: String?
    public var region: String
    /// Aliyun: Herald template name → approved template code (`SMS_…`).
    public var templateCodes: [String: String]
    /// Aliyun: the secret path segment of the receipt URL `<public_url>/callbacks/aliyun/<token>`.
    public var receiptToken: SecretReference?
    /// Texts per ``rateScope`` per ``rateWindow``; nil: no limit of Herald's own. Texts over the
    /// limit wait (no attempt counted) instead of being refused by the provider or carrier.
    public var rateLimit: Int?
    /// The rate window, milliseconds, counted from when each send finished.
    public var rateWindow: Int64
    /// What the limit counts per: each recipient number, or the sender as a whole.
    public var rateScope: RateScope

    /// What an SMS rate limit counts per.
    public enum RateScope: String, Sendable, Equatable, CaseIterable {
        /// Each destination number (carriers' and Aliyun's per-number frequency controls; no
        /// contact gets flooded).
        case recipient
        /// The sending number, messaging service or signature: all texts of the channel share
        /// one allowance (a long code's throughput).
        case sender
    }

    public init(provider: ChannelConfig.Provider) {
        baseURL = provider == .aliyun ? "https://dysmsapi.aliyuncs.com" : "https://api.twilio.com"
        statusCallback = true
        region = "cn-hangzhou"
        templateCodes = [:]
        rateWindow = 3_600_000
        rateScope = .recipient
    }
}
