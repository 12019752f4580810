/// Settings of a group-robot channel (`kind = "wecom" | "dingtalk" | "feishu"` in `channels/<name>.toml`).
public struct BotSettings: Sendable, Equatable {
    /// Where requests go; the robot id is appended (`?key=`, `?access_token=` or `/<hook id>`).
    /// Override for a private gateway or a test peer.
    public var baseURL: String
    /// Messages per robot per ``rateWindow`` (the platforms allow 20 a minute).
    public var rateLimit: Int
    /// The rate window, milliseconds. Herald never sends a robot more than ``rateLimit`` messages
    /// in any window of this length, counted from when each send finished.
    public var rateWindow: Int64
    /// How long a robot rests after the platform says "too fast" (DingTalk throttles for 10 minutes).
    public var rateLimitedPause: Int64
    /// Keywords the robot's security settings require: a message containing none of them gets the
    /// first one prepended on its own line.
    public var keywords: [String]
    /// How long deliveries to a robot that failed with an invalid key/token/signature wait before
    /// one of them tries again (the operator fixes the robot meanwhile).
    public var unhealthyRecheck: Int64

    public init(kind: ChannelKind) {
        baseURL = Self.defaultBaseURL(for: kind)
        rateLimit = 20
        rateWindow = 60_000
        rateLimitedPause = kind == .dingtalk ? 600_000 : 60_000
        keywords = []
        unhealthyRecheck = 600_000
    }

    public static func defaultBaseURL(for kind: ChannelKind) -> String {
        switch kind {
        case .wecom: "https://qyapi.weixin.qq.com/cgi-bin/webhook/send"
        case .dingtalk: "https://oapi.dingtalk.com/robot/send"
        default: "https://open.feishu.cn/open-apis/bot/v2/hook"
        }
    }
}
