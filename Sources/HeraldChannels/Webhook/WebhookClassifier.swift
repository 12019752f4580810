import Foundation
import HeraldCore

/// Maps a webhook receiver's HTTP answer onto an outcome (Standard Webhooks sender rules):
/// 2xx sent; 408, 425, 429 and 5xx retry (honouring `Retry-After`); 3xx is not followed and
/// fails; 410 and every other 4xx fail permanently.
public enum WebhookClassifier {
    public static func classify(_ response: HTTPResponse, now: Int64) -> DeliveryOutcome {
        let status = response.status
        // The answer's text goes into the reason of a retry or failure only (not built for a 2xx).
        var reason: String {
            let snippet = response.bodySnippet()
            return "HTTP \(status)" + (snippet.isEmpty ? "" : ": \(snippet)")
        }
        switch status {
        case 200..<300:
            return .sent(providerID: nil)
        case 408, 425, 429, 500..<600:
            return .retry(after: RetryAfter.milliseconds(response.header("retry-after"), now: now), reason: reason)
        case 410:
            return .failed(reason: "HTTP 410: the endpoint is gone")
        case 300..<400:
            return .failed(reason: "HTTP \(status): redirects are not followed for webhooks")
        default:
            return .failed(reason: reason)
        }
    }
}

/// Parses `Retry-After`: delay-seconds or an HTTP-date.
public enum RetryAfter {
    /// Milliseconds to wait, capped at one day, or nil when absent or unreadable.
    public static func milliseconds(_ value: String?, now: Int64) -> Int64? {
        guard let value = value?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        if let seconds = Int64(value), seconds >= 0 { return min(seconds, 86_400) * 1000 }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: value) else { return nil }
        let wait = Int64(date.timeIntervalSince1970 * 1000) - now
        return min(max(wait, 0), 86_400_000)
    }
}
