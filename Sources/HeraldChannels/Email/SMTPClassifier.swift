import HeraldCore

/// Maps an SMTP result onto an outcome: 2xx sent (the queue id becomes the provider id); 4xx,
/// connection errors and timeouts retry; a 5xx refusing the recipient is a hard bounce (the address
/// is suppressed); other 5xx fail permanently.
public enum SMTPClassifier {
    public static func classify(_ reply: SMTPReply) -> DeliveryOutcome {
        let text = reply.text.isEmpty ? "\(reply.code)" : reply.text
        if reply.curlCode == 0 && (200..<300).contains(reply.code) {
            return .sent(providerID: providerID(from: reply.text))
        }
        switch reply.code {
        case 400..<500:
            return .retry(after: nil, reason: "SMTP \(text)")
        case 500..<600:
            if reply.curlCode == 55 && isAddressRefusal(reply) {
                return .bounced(reason: "SMTP \(text)")
            }
            if reply.code == 530 || reply.code == 535 || reply.code == 534 {
                // Authentication: a configuration problem, not this message's. Keep it queued.
                return .retry(after: 300_000, reason: "SMTP authentication refused: \(text)")
            }
            return .failed(reason: "SMTP \(text)")
        default:
            // No usable reply: connection, TLS or timeout trouble. 64 = STARTTLS required but not offered.
            let hint = reply.curlCode == 64 ? " (the server does not offer STARTTLS; see starttls in the channel file)" : ""
            return .retry(after: nil, reason: "\(reply.curlMessage) (curl \(reply.curlCode))\(hint)")
        }
    }

    /// A recipient refusal: 550/551/553 or an enhanced status 5.1.x about the recipient
    /// (5.1.7 and 5.1.8 are about the sender and do not count).
    static func isAddressRefusal(_ reply: SMTPReply) -> Bool {
        let words = reply.text.split(separator: " ")
        if words.count > 1, words[1].hasPrefix("5.") {
            let enhanced = String(words[1])
            return enhanced.hasPrefix("5.1.") && enhanced != "5.1.7" && enhanced != "5.1.8"
        }
        return [550, 551, 553].contains(reply.code)
    }

    /// The text after the reply code and enhanced status, e.g. `Ok: queued as 4FQ2c`.
    static func providerID(from text: String) -> String? {
        var words = text.split(separator: " ", omittingEmptySubsequences: true).dropFirst()
        if let first = words.first, first.first?.isNumber == true, first.contains(".") { words = words.dropFirst() }
        let rest = words.joined(separator: " ")
        return rest.isEmpty ? nil : String(rest.prefix(200))
    }
}
