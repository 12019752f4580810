import HeraldCore

/// What every backend's suppression list shares.
public enum Suppressions {
    /// Only addresses that can be suppressed are looked up (email addresses, phone numbers): URLs
    /// and robots never are.
    /// Read as bytes: it runs for every delivery of every enqueue (Foundation's `contains` showed
    /// in batch profiles).
    public static func canBeSuppressed(_ address: String) -> Bool {
        let bytes = address.utf8
        if bytes.first == UInt8(ascii: "+") { return true }
        return bytes.contains(UInt8(ascii: "@")) && !bytes.contains(UInt8(ascii: "/"))
    }

    /// The category of an entry that holds for one channel only (`channel:sms`), whatever the
    /// message's category: an SMS opt-out stops texts, not the CSM's calls.
    public static func channelCategory(_ channel: String) -> String { "channel:" + channel }

    /// The entry a recipient's "stop" to the provider makes (source `opt_out`), from a delivery
    /// on `channel` that ended with `outcome`: an SMS STOP holds for that channel only, a refusal
    /// of promotional texts for marketing. Nil for every other outcome.
    public static func optOut(_ outcome: DeliveryOutcome, channel: String) -> (category: String, reason: String)? {
        switch outcome {
        case .optedOut(let reason): (channelCategory(channel), reason)
        case .optedOutOfMarketing(let reason): (Suppression.Category.marketing.rawValue, reason)
        case .sent, .retry, .failed, .bounced: nil
        }
    }
}
