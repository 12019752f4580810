import Foundation
import HeraldCore
import Testing

@Suite struct DigestSettingsTests {
    func parse(_ text: String) throws -> DigestSettings? {
        try ConfigLoader.parse(text, file: "herald.toml", baseDirectory: "/x").digest
    }

    func problems(_ text: String) -> String {
        do {
            _ = try parse(text)
            return ""
        } catch {
            return (error as? HeraldError)?.detail ?? "\(error)"
        }
    }

    @Test func theTableIsOptionalAndItsFieldsAreChecked() throws {
        #expect(try parse("") == nil)
        let defaults = try #require(try parse("[digest]\n"))
        #expect(defaults.at == 9 * 60 && defaults.days == [2, 3, 4, 5, 6] && defaults.timezone == "UTC" && defaults.skipEmpty)
        let set = try #require(try parse("""
            [digest]
            at = "08:30"
            days = ["mon", "sat"]
            timezone = "Asia/Shanghai"
            channel = "mail"
            skip_empty = false
            clients = 3
            """))
        #expect(set == DigestSettings(at: 8 * 60 + 30, days: [2, 7], timezone: "Asia/Shanghai", channel: "mail", skipEmpty: false, clients: 3))
        #expect(problems("[digest]\nat = \"8h\"\n").contains("[digest] at: must be a time of day HH:MM"))
        #expect(problems("[digest]\ndays = [\"someday\"]\n").contains("[digest] days: must list day names"))
        #expect(problems("[digest]\ntimezone = \"Mars/Olympus\"\n").contains("[digest] timezone: unknown IANA time zone"))
        #expect(problems("[digest]\nwhen = \"09:00\"\n").contains("[digest] when: unknown key"))
    }

    @Test func itIsDueFromItsTimeOnItsDaysInItsZoneAndNextComesAfter() {
        // Monday 2026-12-07 08:59 and 09:00 in Shanghai are 00:59 and 01:00 UTC.
        let digest = DigestSettings(at: 9 * 60, days: [2, 3, 4, 5, 6], timezone: "Asia/Shanghai")
        let mondayNine: Int64 = 1_796_605_200_000   // 2026-12-07T01:00:00Z
        #expect(!digest.isDue(at: mondayNine - 60_000) && digest.isDue(at: mondayNine) && digest.isDue(at: mondayNine + 14 * 3_600_000))
        #expect(digest.day(of: mondayNine) == "2026-12-07" && digest.day(of: mondayNine - 3_600_000 * 2) == "2026-12-07")
        #expect(digest.day(of: mondayNine + 15 * 3_600_000) == "2026-12-08")   // 00:00 Tuesday in Shanghai
        #expect(digest.endOfDay(mondayNine) == mondayNine + 15 * 3_600_000)
        #expect(digest.next(after: mondayNine - 1) == mondayNine)
        #expect(digest.next(after: mondayNine) == mondayNine + 86_400_000)
        // Friday's is followed by Monday's; Saturday is no digest day.
        let fridayNine = mondayNine + 4 * 86_400_000
        #expect(digest.next(after: fridayNine) == mondayNine + 7 * 86_400_000)
        #expect(!digest.isDue(at: fridayNine + 86_400_000 + 3_600_000))
    }
}
