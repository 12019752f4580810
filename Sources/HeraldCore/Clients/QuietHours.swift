import Foundation

/// A daily window (in the client's time zone) in which non-urgent messages are held, e.g.
/// `21:00-08:00`. Windows may wrap midnight.
public struct QuietHours: Sendable, Equatable, Codable, CustomStringConvertible {
    /// Minutes after local midnight.
    public var start: Int
    public var end: Int

    public init(start: Int, end: Int) {
        self.start = start
        self.end = end
    }

    /// Parses `HH:MM-HH:MM`.
    public init?(parsing text: String) {
        let parts = text.split(separator: "-")
        guard parts.count == 2, let a = Self.minutes(parts[0]), let b = Self.minutes(parts[1]), a != b else { return nil }
        start = a
        end = b
    }

    public var description: String {
        String(format: "%02d:%02d-%02d:%02d", start / 60, start % 60, end / 60, end % 60)
    }

    private static func minutes(_ text: Substring) -> Int? {
        let hm = text.trimmingCharacters(in: .whitespaces).split(separator: ":")
        guard hm.count == 2, let h = Int(hm[0]), let m = Int(hm[1]), (0...23).contains(h), (0...59).contains(m) else {
            return nil
        }
        return h * 60 + m
    }

    /// Whether local minute-of-day `minute` falls inside the window.
    func contains(minute: Int) -> Bool {
        start < end ? (minute >= start && minute < end) : (minute >= start || minute < end)
    }

    /// When a message due at `millis` may go: `millis` itself outside the window, else the window's
    /// end (local time in `timezone`, converted back to epoch milliseconds).
    public func release(at millis: Int64, timezone: TimeZone) -> Int64 {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timezone
        let date = Date(timeIntervalSince1970: Double(millis) / 1000)
        let parts = calendar.dateComponents([.hour, .minute], from: date)
        let minute = (parts.hour ?? 0) * 60 + (parts.minute ?? 0)
        guard contains(minute: minute) else { return millis }
        // The window ends today if the end is still ahead, else tomorrow.
        var end = calendar.wallClock(minute: self.end, on: date) ?? date
        if end <= date, let tomorrow = calendar.date(byAdding: .day, value: 1, to: date) {
            end = calendar.wallClock(minute: self.end, on: tomorrow) ?? end
        }
        return Int64((end.timeIntervalSince1970 * 1000).rounded())
    }
}

/// A tier's quiet hours in one client's time zone (``RoutingPolicy/quietWindow(for:tier:priority:)``):
/// what a non-urgent message, its fallbacks, escalation and retries keep.
public struct QuietWindow: Sendable, Equatable, Codable, CustomStringConvertible {
    public var hours: QuietHours
    public var timezone: TimeZone

    public init(hours: QuietHours, timezone: TimeZone) {
        self.hours = hours
        self.timezone = timezone
    }

    /// `millis` itself outside the window, else the window's end.
    public func release(at millis: Int64) -> Int64 { hours.release(at: millis, timezone: timezone) }

    /// `21:00-08:00 (Asia/Shanghai)`, as holds and fallback events say it.
    public var description: String { "\(hours) (\(timezone.identifier))" }
}
