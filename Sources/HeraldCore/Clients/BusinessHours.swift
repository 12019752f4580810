import Foundation

/// Working hours in a client's time zone (e.g. `09:00-18:00`, Monday to Friday): when a CSM is
/// expected to call. Due times of phone tasks are counted in business time.
public struct BusinessHours: Sendable, Equatable, CustomStringConvertible {
    /// Minutes after local midnight; `open < close` (no window over midnight).
    public var open: Int
    public var close: Int
    /// Working days as `Calendar` weekdays (1 = Sunday … 7 = Saturday).
    public var days: Set<Int>

    public static let dayNames = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]

    public init(open: Int = 9 * 60, close: Int = 18 * 60, days: Set<Int> = [2, 3, 4, 5, 6]) {
        self.open = open
        self.close = close
        self.days = days
    }

    /// Parses `HH:MM-HH:MM` (opening before closing; `24:00` closes at midnight) and day names
    /// (`mon` … `sun`).
    public init?(hours: String, days names: [String]) {
        let parts = hours.split(separator: "-")
        guard parts.count == 2, let open = Self.minutes(parts[0]), let close = Self.minutes(parts[1]), open < close,
            open < 24 * 60, let days = Self.weekdays(names)
        else { return nil }
        self.init(open: open, close: close, days: days)
    }

    /// `Calendar` weekdays of day names (`mon` … `sun`, any case), or nil for an unknown name or none.
    static func weekdays(_ names: [String]) -> Set<Int>? {
        var days = Set<Int>()
        for name in names {
            guard let index = dayNames.firstIndex(of: name.lowercased()) else { return nil }
            days.insert(index + 1)
        }
        return days.isEmpty ? nil : days
    }

    /// Minutes after midnight of `HH:MM` (`00:00` … `24:00`), or nil.
    static func minutes(_ text: Substring) -> Int? {
        let hm = text.trimmingCharacters(in: .whitespaces).split(separator: ":")
        guard hm.count == 2, hm[0].count == 2, hm[1].count == 2, let h = Int(hm[0]), let m = Int(hm[1]),
            (0...24).contains(h), (0...59).contains(m), h * 60 + m <= 24 * 60
        else { return nil }
        return h * 60 + m
    }

    public var description: String {
        let names = days.sorted().map { Self.dayNames[$0 - 1] }.joined(separator: ",")
        return String(format: "%02d:%02d-%02d:%02d ", open / 60, open % 60, close / 60, close % 60) + names
    }

    /// The instant `duration` of business time after `start` (epoch ms): time outside working hours
    /// does not count. A zero duration gives the first working instant at or after `start`.
    public func add(_ duration: Int64, to start: Int64, timezone: TimeZone) -> Int64 {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timezone
        var left = max(duration, 0)
        var cursor = Date(timeIntervalSince1970: Double(start) / 1000)
        // Two years of days is more than any sane configuration needs; stop there regardless.
        for _ in 0..<730 {
            let day = calendar.startOfDay(for: cursor)
            let weekday = calendar.component(.weekday, from: day)
            if days.contains(weekday),
                let opens = calendar.wallClock(minute: open, on: day),
                let closes = calendar.wallClock(minute: close, on: day), cursor < closes
            {
                let from = max(cursor, opens)
                let available = Int64((closes.timeIntervalSince(from) * 1000).rounded())
                if left <= available { return Self.millis(from) + left }
                left -= available
            }
            guard let next = calendar.date(byAdding: .day, value: 1, to: day) else { break }
            cursor = next
        }
        return start + duration
    }

    /// Whether `instant` (epoch ms) is inside working hours.
    public func contains(_ instant: Int64, timezone: TimeZone) -> Bool {
        add(0, to: instant, timezone: timezone) == instant
    }

    private static func millis(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded()) }
}
