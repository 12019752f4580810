/// Where a group-robot message goes: the robot's credential-bearing id (WeCom `key`, DingTalk
/// `access_token`, Feishu hook id) and, for robots with signing turned on, the signing secret,
/// written together as `id#secret`. The id names the robot (rate limits and health are per id);
/// the secret never appears in API answers (see ``DestinationRules/redacted(_:)``).
public struct BotAddress: Sendable, Equatable {
    public var id: String
    public var secret: String?

    public init(id: String, secret: String? = nil) {
        self.id = id
        self.secret = secret
    }

    /// Splits `id#secret`; validate with ``problem(_:kind:)`` first.
    public init(parsing address: String) {
        if let hash = address.firstIndex(of: "#") {
            id = String(address[..<hash])
            secret = String(address[address.index(after: hash)...])
        } else {
            id = address
            secret = nil
        }
    }

    /// Why `address` is not a robot address of `kind`, or nil.
    public static func problem(_ address: String, kind: ChannelKind) -> String? {
        let parsed = BotAddress(parsing: address)
        let what = switch kind {
        case .wecom: "the robot's key"
        case .dingtalk: "the robot's access_token"
        default: "the bot's hook id"
        }
        if parsed.id.hasPrefix("http:") || parsed.id.hasPrefix("https:") {
            return "give \(what), not the whole webhook URL (the channel file sets base_url)"
        }
        guard !parsed.id.isEmpty, parsed.id.utf8.count <= 200 else { return "must start with \(what) (1–200 characters)" }
        guard parsed.id.utf8.allSatisfy({ isIDByte($0) }) else {
            return "\(what) may contain letters, digits, '-' and '_' only"
        }
        if let secret = parsed.secret {
            if kind == .wecom { return "WeCom robots are not signed: give the key alone, without '#'" }
            guard !secret.isEmpty, secret.utf8.count <= 200, secret.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
                return "the signing secret after '#' must be 1–200 printable ASCII characters"
            }
            if kind == .dingtalk && !secret.hasPrefix("SEC") {
                return "DingTalk signing secrets start with 'SEC'"
            }
        }
        return nil
    }

    private static func isIDByte(_ b: UInt8) -> Bool { ByteEncoding.isBase64url(b) }

    /// The id shortened for logs and health reports: enough to tell robots apart, not enough to use.
    public var shortID: String {
        id.count <= 8 ? String(repeating: "•", count: id.count) : "…" + id.suffix(6)
    }
}
