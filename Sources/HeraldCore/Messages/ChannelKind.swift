/// The protocol family of a channel instance; decides what a destination address looks like.
/// Channel *names* (`webhook`, `crm-hooks`…) are configuration; kinds are code.
public enum ChannelKind: String, Sendable, Codable, CaseIterable {
    case webhook
    case email
    /// WeCom (企业微信) group robot: the destination is the robot's `key`.
    case wecom
    /// DingTalk custom robot: the destination is `access_token`, or `access_token#SEC…` when signed.
    case dingtalk
    /// Feishu / Lark custom bot: the destination is the hook id, or `hook-id#secret` when signed.
    case feishu
    /// Text messages to a phone (Twilio, Aliyun): the destination is an E.164 number.
    case sms
    /// A call by the client's CSM: the destination is the contact's E.164 number, and delivering
    /// opens a ``PhoneTask`` for the CSM instead of sending anything.
    case phone
    /// An automated call (Twilio) that reads the message to the contact: the destination is an
    /// E.164 number.
    case voice

    /// Group-chat robots: rate-limited per robot, errors in the response body.
    public var isBot: Bool {
        switch self {
        case .wecom, .dingtalk, .feishu: true
        case .webhook, .email, .sms, .phone, .voice: false
        }
    }

    /// Checks one destination address for this kind, returning why it is unacceptable.
    public func problem(with address: String) -> String? {
        switch self {
        case .webhook: DestinationRules.urlProblem(address)
        case .email: DestinationRules.emailProblem(address)
        case .wecom, .dingtalk, .feishu: BotAddress.problem(address, kind: self)
        case .sms, .phone, .voice: DestinationRules.phoneProblem(address)
        }
    }
}

extension ChannelKind {
    /// The email channel Herald's own mail goes by when none is named (a handover, a digest): the
    /// first of `kinds`' email channels by name.
    public static func firstEmailChannel(in kinds: [String: ChannelKind]) -> String? {
        kinds.filter { $0.value == .email }.keys.min()
    }
}
