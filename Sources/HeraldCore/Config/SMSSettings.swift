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

    public init(provider: ChannelConfig.Provider) {
        baseURL = provider == .aliyun ? "https://dysmsapi.aliyuncs.com" : "https://api.twilio.com"
        statusCallback = true
        region = "cn-hangzhou"
        templateCodes = [:]
    }
}
