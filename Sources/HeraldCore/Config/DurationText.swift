import Foundation

/// Durations in config files: `250ms`, `5s`, `2m`, `72h`, `7d`, or a bare number of seconds.
public enum DurationText {
    /// Milliseconds, or nil when the text is not a duration.
    public static func milliseconds(_ text: String) -> Int64? {
        let units: [(String, Int64)] = [("ms", 1), ("s", 1_000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000)]
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        for (suffix, factor) in units where trimmed.hasSuffix(suffix) {
            let number = trimmed.dropLast(suffix.count)
            // "5ms" also ends with "s": only accept when what is left is a plain number.
            if let value = Double(number), value >= 0, value.isFinite, value * Double(factor) < 9e15 {
                return Int64((value * Double(factor)).rounded())
            }
        }
        if let seconds = Double(trimmed), seconds >= 0, seconds < 9e12 { return Int64((seconds * 1000).rounded()) }
        return nil
    }

    /// The shortest text ``milliseconds(_:)`` reads back as `millis` (`1m`, `6s`, `1500ms`).
    public static func format(_ millis: Int64) -> String {
        for (suffix, factor) in [("d", Int64(86_400_000)), ("h", 3_600_000), ("m", 60_000), ("s", 1_000)]
        where millis != 0 && millis % factor == 0 {
            return "\(millis / factor)\(suffix)"
        }
        return "\(millis)ms"
    }
}
