import Foundation

/// Epoch-millisecond helpers. Herald stores every time as integer milliseconds since the epoch.
public enum Timestamps {
    /// Now, in epoch milliseconds.
    /// Read from `clock_gettime` (a `Date` per call showed in enqueue profiles).
    public static func now() -> Int64 {
        let (seconds, nanoseconds) = realtime()
        return seconds * 1000 + (nanoseconds + 500_000) / 1_000_000
    }

    private static func realtime() -> (seconds: Int64, nanoseconds: Int64) {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return (Int64(now.tv_sec), Int64(now.tv_nsec))
    }

    /// Parses RFC 3339 (with or without fractional seconds, `Z` or an offset).
    /// The common shape (`2026-11-23T09:41:05Z`, optionally with milliseconds) is read digit by
    /// digit (Foundation's format styles were 2 % of an enqueue's CPU); anything else, offsets
    /// included, goes to `ISO8601FormatStyle`. The unit tests hold both paths to the same answers.
    public static func parse(_ text: String) -> Int64? {
        if let millis = parseUTC(text) { return millis }
        return parseWithFoundation(text)
    }

    /// `YYYY-MM-DDTHH:MM:SS[.mmm]Z` with every field in range, or nil for anything else (which
    /// does not mean invalid: the caller falls back to Foundation).
    static func parseUTC(_ text: String) -> Int64? {
        var text = text
        return text.withUTF8 { b -> Int64? in
            guard b.count == 20 || b.count == 24, b[4] == 0x2D, b[7] == 0x2D, b[10] == 0x54, b[13] == 0x3A,
                b[16] == 0x3A, b[b.count - 1] == 0x5A
            else { return nil }
            func number(_ from: Int, _ width: Int) -> Int? {
                var value = 0
                for i in from..<(from + width) {
                    let digit = Int(b[i]) - 0x30
                    guard digit >= 0 && digit <= 9 else { return nil }
                    value = value * 10 + digit
                }
                return value
            }
            guard let year = number(0, 4), let month = number(5, 2), let day = number(8, 2), let hour = number(11, 2),
                let minute = number(14, 2), let second = number(17, 2)
            else { return nil }
            var millis = 0
            if b.count == 24 {
                guard b[19] == 0x2E, let fraction = number(20, 3) else { return nil }
                millis = fraction
            }
            let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
            let monthDays = switch month {
            case 2: leap ? 29 : 28
            case 4, 6, 9, 11: 30
            default: 31
            }
            guard year >= 1900, (1...12).contains(month), day >= 1, day <= monthDays, hour < 24, minute < 60, second < 60
            else { return nil }
            // Days from 1970-01-01 to the civil date (H. Hinnant's days_from_civil).
            let y = month <= 2 ? year - 1 : year
            let era = y / 400
            let yearOfEra = y - era * 400
            let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
            let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
            let days = era * 146_097 + dayOfEra - 719_468
            return Int64(((days * 24 + hour) * 60 + minute) * 60 + second) * 1000 + Int64(millis)
        }
    }

    static func parseWithFoundation(_ text: String) -> Int64? {
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
