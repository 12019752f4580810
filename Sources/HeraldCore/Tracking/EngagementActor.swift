import Foundation

/// Tells a person's open or click from a machine's: mail privacy proxies that fetch every image
/// on arrival (Apple Mail Privacy Protection sends a bare `Mozilla/5.0`), security gateways that
/// follow every link before the recipient sees the mail, link unfurlers and crawlers.
///
/// A machine open is recorded (actor `machine`) but does not mark the delivery opened, so it
/// neither stops an escalation nor hides the message from "unopened" resends, and template
/// stats count it apart. Mail-client proxies that fetch when a person opens the message
/// (Gmail's GoogleImageProxy, Yahoo) are people.
public enum EngagementActor {
    public static let person = "recipient"
    public static let machine = "machine"

    /// Substrings (lower case) of user agents that belong to machines.
    static let machineMarkers = [
        "bot", "crawler", "spider", "slurp", "preview", "unfurl", "scanner", "barracuda", "mimecast", "proofpoint",
        "urldefense", "safelinks", "symantec", "forcepoint", "trendmicro", "sophos", "fortiguard", "headlesschrome",
        "phantomjs", "microsoft office protocol discovery", "ms-office", "skypeuripreview",
    ]

    /// `person` or `machine` for a request with this `User-Agent`.
    public static func classify(userAgent: String?) -> String {
        guard let agent = userAgent?.trimmingCharacters(in: .whitespaces), !agent.isEmpty else { return machine }
        // Apple Mail Privacy Protection: the proxy's whole user agent is this one token.
        if agent == "Mozilla/5.0" { return machine }
        let lower = agent.lowercased()
        if lower.contains("googleimageproxy") || lower.contains("yahoomailproxy") { return person }
        return machineMarkers.contains { lower.contains($0) } ? machine : person
    }
}
