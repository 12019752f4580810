/// One channel instance, from one `channels/<name>.toml` file.
public struct ChannelConfig: Sendable, Equatable {
    /// Where a channel's deliveries go: to the real provider, or to files on disk (development).
    public enum Provider: String, Sendable, Equatable, CaseIterable {
        /// HTTP POST (webhooks, bots, SMS APIs).
        case http
        /// SMTP through libcurl (email).
        case smtp
        /// Twilio: the Messages API (SMS) or the Calls API (voice).
        case twilio
        /// Aliyun Dysmsapi `SendSms` (SMS with approved templates).
        case aliyun
        /// Phone: open a task for the CSM (the only provider of `kind = "phone"`).
        case tasks
        /// Write each delivery to `outbox_dir/<delivery id>.json` instead of sending it.
        case outbox
    }

    /// The channel name messages use (`to.<name>`): the file name without `.toml`.
    public var name: String
    public var kind: ChannelKind
    public var provider: Provider
    /// Parallel attempts, each on its own reused connection (webhooks: transfers one thread drives
    /// through libcurl's multi interface; other channels: worker threads).
    public var concurrency: Int
    /// Connect timeout, milliseconds.
    public var connectTimeout: Int64
    /// Whole-request timeout, milliseconds.
    public var timeout: Int64
    /// The default signing secret (`whsec_…`) by reference.
    public var secret: SecretReference?
    public var userAgent: String
    /// Whether destinations on loopback, private and link-local addresses are allowed.
    public var allowPrivateNetworks: Bool
    /// Folder for the `outbox` provider (absolute after loading).
    public var outboxDirectory: String
    /// For `kind = "email"`.
    public var email: EmailSettings?
    /// For robot kinds (`wecom`, `dingtalk`, `feishu`).
    public var bot: BotSettings?
    /// For `kind = "sms"`.
    public var sms: SMSSettings?
    /// For `kind = "phone"`.
    public var phone: PhoneSettings?
    /// For `kind = "voice"`.
    public var voice: VoiceSettings?

    public init(
        name: String,
        kind: ChannelKind,
        provider: Provider = .http,
        concurrency: Int = 8,
        connectTimeout: Int64 = 5_000,
        timeout: Int64 = 15_000,
        secret: SecretReference? = nil,
        userAgent: String = "Herald/0.1",
        allowPrivateNetworks: Bool = false,
        outboxDirectory: String = "var/outbox",
        email: EmailSettings? = nil
    ) {
        self.name = name
        self.kind = kind
        self.provider = provider
        self.concurrency = concurrency
        self.connectTimeout = connectTimeout
        self.timeout = timeout
        self.secret = secret
        self.userAgent = userAgent
        self.allowPrivateNetworks = allowPrivateNetworks
        self.outboxDirectory = outboxDirectory
        self.email = email
    }

    /// The provider a kind uses when the file names none.
    public static func defaultProvider(for kind: ChannelKind) -> Provider {
        switch kind {
        case .webhook, .wecom, .dingtalk, .feishu: .http
        case .email: .smtp
        case .sms, .voice: .twilio
        case .phone: .tasks
        }
    }
}
