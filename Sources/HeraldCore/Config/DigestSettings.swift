import Foundation

/// `[digest]`: each CSM's morning email (template `csm-digest`): their calls due today and overdue,
/// the clients that most need them (unopened important messages first), and what failed to reach
/// their clients in the last day. Sent once a day per CSM, at `at` on `days` in `timezone`.
public struct DigestSettings: Sendable, Equatable {
    /// Minutes after local midnight.
    public var at: Int
    /// `Calendar` weekdays (1 = Sunday … 7 = Saturday).
    public var days: Set<Int>
    /// IANA time zone of `at`, `days` and the digest's dates and times.
    public var timezone: String
    /// The email channel it goes by; nil: the first email channel by name.
    public var channel: String?
    /// Send nothing to a CSM who has nothing due, no client waiting and no failure.
    public var skipEmpty: Bool
    /// The most clients listed as needing attention.
    public var clients: Int

    public init(
        at: Int = 9 * 60, days: Set<Int> = [2, 3, 4, 5, 6], timezone: String = "UTC", channel: String? = nil,
        skipEmpty: Bool = true, clients: Int = 5
    ) {
        self.at = at
        self.days = days
        self.timezone = timezone
        self.channel = channel
        self.skipEmpty = skipEmpty
        self.clients = clients
    }

    var calendar: Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = .named(timezone)
        return calendar
    }

    /// The local date of `instant` (`2026-12-07`): what a CSM's digest of that day is keyed by.
    public func day(of instant: Int64) -> String {
        let c = calendar.dateComponents([.year, .month, .day], from: Date(timeIntervalSince1970: Double(instant) / 1000))
        return String(format: "%04d-%02d-%02d", c.year ?? 0, c.month ?? 0, c.day ?? 0)
    }

    /// The start of the local day of `instant` (its midnight), epoch ms.
    public func startOfDay(_ instant: Int64) -> Int64 {
        let start = calendar.startOfDay(for: Date(timeIntervalSince1970: Double(instant) / 1000))
        return Int64((start.timeIntervalSince1970 * 1000).rounded())
    }

    /// The end of the local day of `instant` (the next midnight), epoch ms.
    public func endOfDay(_ instant: Int64) -> Int64 {
        let date = Date(timeIntervalSince1970: Double(instant) / 1000)
        let end = calendar.wallClock(minute: 24 * 60, on: date) ?? date.addingTimeInterval(86_400)
        return Int64((end.timeIntervalSince1970 * 1000).rounded())
    }

    /// Whether today's digest is due at `now`: a digest day whose `at` has passed. A daemon that
    /// was down at `at` sends it when it starts, the same day; not the next day.
    public func isDue(at now: Int64) -> Bool {
        let date = Date(timeIntervalSince1970: Double(now) / 1000)
        guard days.contains(calendar.component(.weekday, from: date)), let time = calendar.wallClock(minute: at, on: date) else {
            return false
        }
        return now >= Int64((time.timeIntervalSince1970 * 1000).rounded())
    }

    /// The next instant after `now` at which a digest is due (epoch ms).
    public func next(after now: Int64) -> Int64 {
        let calendar = calendar
        var day = calendar.startOfDay(for: Date(timeIntervalSince1970: Double(now) / 1000))
        for _ in 0..<8 {
            if days.contains(calendar.component(.weekday, from: day)), let time = calendar.wallClock(minute: at, on: day) {
                let instant = Int64((time.timeIntervalSince1970 * 1000).rounded())
                if instant > now { return instant }
            }
            guard let following = calendar.date(byAdding: .day, value: 1, to: day) else { break }
            day = following
        }
        return now + 86_400_000
    }
}
