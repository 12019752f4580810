import Foundation
import HeraldCore
import Testing

@Suite struct BusinessHoursTests {
    let shanghai = TimeZone(identifier: "Asia/Shanghai")!
    let hours = BusinessHours(hours: "09:00-18:00", days: ["mon", "tue", "wed", "thu", "fri"])!

    /// Epoch ms of a local wall-clock time in Shanghai (UTC+8, no DST).
    func local(_ text: String) -> Int64 {
        Timestamps.parse(text + "+08:00")!
    }

    @Test func countsOnlyWorkingTime() {
        // 2026-11-23 is a Monday.
        #expect(hours.add(4 * 3_600_000, to: local("2026-11-23T10:00:00"), timezone: shanghai) == local("2026-11-23T14:00:00"))
        // 16:00 + 4h: two hours today, two tomorrow from the opening.
        #expect(hours.add(4 * 3_600_000, to: local("2026-11-23T16:00:00"), timezone: shanghai) == local("2026-11-24T11:00:00"))
        // Before opening: counting starts at 09:00.
        #expect(hours.add(3_600_000, to: local("2026-11-24T06:30:00"), timezone: shanghai) == local("2026-11-24T10:00:00"))
        // Friday evening → Monday.
        #expect(hours.add(2 * 3_600_000, to: local("2026-11-27T17:00:00"), timezone: shanghai) == local("2026-11-30T10:00:00"))
        // Saturday with zero duration: the next opening.
        #expect(hours.add(0, to: local("2026-11-28T12:00:00"), timezone: shanghai) == local("2026-11-30T09:00:00"))
        // Exactly at closing is outside; the close itself is not a working instant.
        #expect(hours.contains(local("2026-11-23T17:59:00"), timezone: shanghai))
        #expect(!hours.contains(local("2026-11-23T18:00:00"), timezone: shanghai))
        // More than a working day: 9h a day, so 10h ends one hour into the day after.
        #expect(hours.add(10 * 3_600_000, to: local("2026-11-23T09:00:00"), timezone: shanghai) == local("2026-11-24T10:00:00"))
    }

    @Test func theSameInstantIsDueAtDifferentTimesInDifferentZones() {
        let newYork = TimeZone(identifier: "America/New_York")!
        let start = Timestamps.parse("2026-11-23T03:00:00Z")!   // 11:00 in Shanghai, 22:00 (Sunday) in New York
        #expect(hours.add(3_600_000, to: start, timezone: shanghai) == Timestamps.parse("2026-11-23T04:00:00Z")!)
        #expect(hours.add(3_600_000, to: start, timezone: newYork) == Timestamps.parse("2026-11-23T15:00:00Z")!)
    }

    @Test func wallClockTimesHoldOnTheDaysDaylightSavingTimeChanges() throws {
        // New York: clocks went back on Sunday 2026-11-01 (EDT UTC-4 → EST UTC-5) and forward on
        // Sunday 2026-03-08. "08:00" is 08:00 on the clock, not 480 minutes after midnight.
        let newYork = TimeZone(identifier: "America/New_York")!
        let quiet = try #require(QuietHours(parsing: "21:00-08:00"))
        #expect(quiet.release(at: Timestamps.parse("2026-11-01T03:00:00-05:00")!, timezone: newYork)
            == Timestamps.parse("2026-11-01T08:00:00-05:00")!)
        #expect(quiet.release(at: Timestamps.parse("2026-03-08T05:00:00-04:00")!, timezone: newYork)
            == Timestamps.parse("2026-03-08T08:00:00-04:00")!)
        let everyDay = try #require(BusinessHours(hours: "09:00-18:00", days: ["sun", "mon"]))
        #expect(everyDay.add(3_600_000, to: Timestamps.parse("2026-11-01T06:00:00-05:00")!, timezone: newYork)
            == Timestamps.parse("2026-11-01T10:00:00-05:00")!)
        #expect(everyDay.add(0, to: Timestamps.parse("2026-03-08T01:00:00-05:00")!, timezone: newYork)
            == Timestamps.parse("2026-03-08T09:00:00-04:00")!)
        // A day that ends at 24:00 ends at the next midnight, 25 hours after the last on 2026-11-01.
        let allDay = try #require(BusinessHours(hours: "00:00-24:00", days: ["sun"]))
        #expect(allDay.contains(Timestamps.parse("2026-11-01T23:30:00-05:00")!, timezone: newYork))
    }

    @Test func parsingRefusesNonsense() {
        #expect(BusinessHours(hours: "18:00-09:00", days: ["mon"]) == nil)
        #expect(BusinessHours(hours: "9-18", days: ["mon"]) == nil)
        #expect(BusinessHours(hours: "09:00-18:00", days: ["funday"]) == nil)
        #expect(BusinessHours(hours: "09:00-18:00", days: []) == nil)
        #expect(BusinessHours(hours: "08:30-17:30", days: ["MON", "sat"])?.days == [2, 7])
        #expect(BusinessHours(hours: "09:00-24:30", days: ["mon"]) == nil)
        // Round the clock: every instant is a working one.
        let always = BusinessHours(hours: "00:00-24:00", days: BusinessHours.dayNames)
        #expect(always?.contains(local("2026-11-28T23:59:30"), timezone: shanghai) == true)
    }
}
