import Foundation

/// Epoch-millisecond helpers. Herald stores every time as integer milliseconds since the epoch.
public enum Timestamps {
    /// Now, in epoch milliseconds.
    public static func now() -> Int64 { Int64((Date().timeIntervalSince1970 * 1000).rounded()) }

    /// Parses RFC 3339 (with or without fractional seconds, `Z` or an offset).
    public static func parse(_ text: String) -> Int64? {
        let plain = Date.ISO8601FormatStyle(includingFractionalSeconds: false)
        let fractional = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
        guard let date = (try? plain.parse(text)) ?? (try? fractional.parse(text)) else { return nil }
        return Int64((date.timeIntervalSince1970 * 1000).rounded())
    }

    /// RFC 3339 in UTC with milliseconds, e.g. `2026-11-23T09:41:05.123Z` (or whole seconds,
    /// `2026-11-23T09:41:05Z`, for APIs that want them).
    public static func format(_ millis: Int64, fractionalSeconds: Bool = true) -> String {
        let date = Date(timeIntervalSince1970: Double(millis) / 1000)
        return date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: fractionalSeconds))
    }
}
