import HeraldCore

/// One HTTP request to a robot.
struct BotRequest: Sendable, Equatable {
    var url: String
    var body: [UInt8]
}

/// What a robot's answer means.
enum BotVerdict: Sendable, Equatable {
    case accepted
    /// Too fast: the robot rests for `pause` (or the channel's `rate_limited_pause`) before sending again.
    case rateLimited(pause: Int64?, reason: String)
    /// The robot itself is unusable (bad key/token, signature, keyword, IP allow-list): this
    /// delivery fails and the robot is marked unhealthy.
    case robotRejected(reason: String)
    /// This message was refused; the robot is fine.
    case failed(reason: String)
    /// A transient error.
    case retry(reason: String)
}

/// The wire format of one platform: how a message becomes a request, and how an answer is read.
/// Platforms answer HTTP 200 with an error code in the body, so the body is always read.
protocol BotPlatform: Sendable {
    var kind: ChannelKind { get }
    /// Largest message content in UTF-8 bytes; longer content is cut with a marker.
    /// `link` (a card with one call to action) is sent as the platform's card type where it has one.
    func contentLimit(markdown: Bool) -> Int
    func request(
        baseURL: String, address: BotAddress, title: String?, content: String, markdown: Bool, link: ContentLink?,
        mentions: Mentions.Resolved, now: Int64
    ) -> BotRequest
    func classify(_ response: HTTPResponse, now: Int64) -> BotVerdict
}

extension BotPlatform {
    /// Reads `{"errcode": n, "errmsg": "…"}` (WeCom, DingTalk) or `{"code": n, "msg": "…"}` (Feishu)
    /// from a parsed body, trying each (code key, message key) pair in turn.
    func errorCode(_ object: [String: JSONValue]?, _ keys: (String, String)...) -> (Int64, String)? {
        guard let object else { return nil }
        for (codeKey, messageKey) in keys {
            guard case .int(let code)? = object[codeKey] else { continue }
            if case .string(let message)? = object[messageKey] { return (code, message) }
            return (code, "")
        }
        return nil
    }

    /// The verdict for answers that are not HTTP 200 with a JSON body.
    func transportVerdict(_ response: HTTPResponse) -> BotVerdict {
        let reason = "HTTP \(response.status)" + (response.bodySnippet().isEmpty ? "" : ": \(response.bodySnippet())")
        switch response.status {
        // Platforms always answer JSON; a 2xx without it came from something in between (a proxy's
        // page, a truncated answer): whether the robot posted is unknown, so try again.
        case 200..<300: return .retry(reason: reason + " (not the platform's JSON answer)")
        case 429: return .rateLimited(pause: nil, reason: reason)
        case 408, 500..<600: return .retry(reason: reason)
        case 401, 403, 404: return .robotRejected(reason: reason)
        default: return .failed(reason: reason)
        }
    }
}
