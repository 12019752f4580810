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
    /// Written digit by digit from `gmtime_r` (a format style per call was 2 % of a webhook drain,
    /// which formats two times per delivery); the unit tests hold it to `ISO8601FormatStyle`.
    public static func format(_ millis: Int64, fractionalSeconds: Bool = true) -> String {
        let (seconds, fraction) = (millis.quotientAndRemainder(dividingBy: 1000))
        var whole = time_t(fraction < 0 ? seconds - 1 : seconds)
        let ms = fraction < 0 ? fraction + 1000 : fraction
        var parts = tm()
        gmtime_r(&whole, &parts)
        var out: [UInt8] = []
        out.reserveCapacity(24)
        // Zero-padded, written in place (no buffer per field).
        func digits(_ value: Int, _ width: Int) {
            let start = out.count
            out.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: width))
            var v = value
            for i in stride(from: start + width - 1, through: start, by: -1) {
                out[i] = UInt8(ascii: "0") + UInt8(v % 10)
                v /= 10
            }
        }
        digits(Int(parts.tm_year) + 1900, 4)
        out.append(UInt8(ascii: "-"))
        digits(Int(parts.tm_mon) + 1, 2)
        out.append(UInt8(ascii: "-"))
        digits(Int(parts.tm_mday), 2)
        out.append(UInt8(ascii: "T"))
        digits(Int(parts.tm_hour), 2)
        out.append(UInt8(ascii: ":"))
        digits(Int(parts.tm_min), 2)
        out.append(UInt8(ascii: ":"))
        digits(Int(parts.tm_sec), 2)
        if fractionalSeconds {
            out.append(UInt8(ascii: "."))
            digits(Int(ms), 3)
        }
        out.append(UInt8(ascii: "Z"))
        return String(decoding: out, as: UTF8.self)
    }
}
