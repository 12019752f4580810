import Foundation

extension Calendar {
    /// The instant the clock on the wall reads `minute` (minutes after midnight, up to 24:00) on the
    /// day of `day`, in this calendar's time zone. On a day a daylight-saving change shortens or
    /// lengthens, 08:00 is still 08:00, not 480 minutes after midnight; 24:00 is the next midnight.
    func wallClock(minute: Int, on day: Date) -> Date? {
        let midnight = startOfDay(for: day)
        if minute >= 24 * 60 { return date(byAdding: .day, value: 1, to: midnight) }
        return date(bySettingHour: minute / 60, minute: minute % 60, second: 0, of: midnight)
    }
}
