import Foundation
@testable import HeraldCore
import Testing

@Suite struct TimestampsTests {
    /// The hand-written formatter says what Foundation's ISO 8601 style says, to the second; its
    /// milliseconds are exact (Foundation's go through a Double and show .999 as .998).
    @Test func formatMatchesISO8601FormatStyle() {
        var generator = SystemRandomNumberGenerator()
        var samples: [Int64] = [0, 999, 1_000, -1, -999, -1_000, -1_001, 951_782_400_000, 4_102_444_799_999, 1_796_082_345_678]
        for _ in 0..<2_000 { samples.append(Int64.random(in: -2_000_000_000_000...32_503_680_000_000, using: &generator)) }
        for millis in samples {
            let date = Date(timeIntervalSince1970: Double(millis) / 1000)
            let ms = ((millis % 1000) + 1000) % 1000
            let expected = date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: false)).dropLast()
                + "." + String(repeating: "0", count: 3 - String(ms).count) + String(ms) + "Z"
            #expect(Timestamps.format(millis) == expected, "\(millis)")
            #expect(Timestamps.format(millis, fractionalSeconds: false)
                == date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: false)), "\(millis)")
        }
    }

    @Test func formatAndParseRoundTrip() {
        for millis: Int64 in [0, 1_796_082_345_678, 1_796_082_345_000] {
            #expect(Timestamps.parse(Timestamps.format(millis)) == millis)
        }
        #expect(Timestamps.format(1_796_082_345_678) == "2026-11-30T23:45:45.678Z")
        #expect(Timestamps.format(999) == "1970-01-01T00:00:00.999Z")
        #expect(Timestamps.format(-1) == "1969-12-31T23:59:59.999Z")
    }

    /// The digit-by-digit reader gives Foundation's answer for every text it takes, and leaves the
    /// rest (offsets, other precisions, out-of-range fields) to Foundation.
    @Test func fastParseMatchesFoundation() {
        var generator = SystemRandomNumberGenerator()
        var samples: [Int64] = [0, 999, -1, 951_782_400_000, 4_102_444_799_999, 1_796_082_345_678, 253_402_300_799_999]
        for _ in 0..<2_000 { samples.append(Int64.random(in: -2_000_000_000_000...253_402_300_799_999, using: &generator)) }
        for millis in samples {
            for text in [Timestamps.format(millis), Timestamps.format(millis, fractionalSeconds: false)] {
                let fast = Timestamps.parseUTC(text)
                #expect(fast != nil, "\(text)")
                #expect(fast == Timestamps.parseWithFoundation(text), "\(text)")
            }
        }
        for text in ["2026-11-23T09:41:05+08:00", "2026-11-23T09:41:05.1Z", "2026-11-23T09:41:05.123456Z",
                     "2026-02-29T00:00:00Z", "2026-13-01T00:00:00Z", "2026-11-23 09:41:05Z", "2026-11-23T24:00:00Z",
                     "2026-11-23t09:41:05z", "２０２６-11-23T09:41:05Z", "2026-11-2309:41:05Z", "", "tomorrow"] {
            #expect(Timestamps.parseUTC(text) == nil, "\(text)")
        }
        #expect(Timestamps.parse("2026-11-23T09:41:05+08:00") == Timestamps.parse("2026-11-23T01:41:05Z"))
        #expect(Timestamps.parse("2024-02-29T12:00:00.250Z") == 1_709_208_000_250)
        #expect(Timestamps.parse("not a time") == nil)
    }
}
