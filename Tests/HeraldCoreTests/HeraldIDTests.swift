import Foundation
import HeraldCore
import Testing

@Suite struct HeraldIDTests {
    @Test(arguments: HeraldID.Kind.allCases)
    func shapeAndPrefix(kind: HeraldID.Kind) {
        let id = HeraldID.make(kind)
        #expect(id.hasPrefix(kind.rawValue + "_"))
        #expect(id.count == kind.rawValue.count + 27)
        #expect(HeraldID.isValid(id, kind: kind))
        for other in HeraldID.Kind.allCases where other != kind { #expect(!HeraldID.isValid(id, kind: other)) }
    }

    @Test func idsSortByCreationEvenWithinOneMillisecond() throws {
        let generator = HeraldID.Generator()
        let now = Date()
        let ids = (0..<10_000).map { _ in generator.make(.delivery, now: now) }
        #expect(ids == ids.sorted())
        #expect(Set(ids).count == ids.count)
        let later = generator.make(.delivery, now: now.addingTimeInterval(0.002))
        #expect(later > (try #require(ids.last)))
    }

    @Test func timePrefixEncodesMilliseconds() {
        let generator = HeraldID.Generator()
        let at = Date(timeIntervalSince1970: 1_469_918_176.385)
        let a = generator.make(.message, now: at)
        let b = generator.make(.message, now: at.addingTimeInterval(0.001))
        #expect(a.hasPrefix("msg_01ARYZ6S41") && b.hasPrefix("msg_01ARYZ6S42"))
    }

    @Test func aClockStepBackStillGivesIncreasingIds() {
        let generator = HeraldID.Generator()
        let first = generator.make(.event, now: Date().addingTimeInterval(3_000))
        let earlier = generator.make(.event, now: Date(timeIntervalSince1970: 1_000))
        #expect(earlier > first && earlier.prefix(14) == first.prefix(14))
    }

    @Test func theProcessGeneratorStampsTheWallClock() {
        // No test moves the process's generator ahead any more (they use generators of their own).
        let before = HeraldID.lowerBound(.message, atMillis: Timestamps.now())
        let id = HeraldID.make(.message)
        let after = HeraldID.lowerBound(.message, atMillis: Timestamps.now() + 1)
        #expect(before <= id && id < after)
    }

    @Test func encodesTheULIDSpecExample() {
        // The ULID spec's example time, 1469918176385 ms, is 01ARYZ6S41.
        #expect(HeraldID.lowerBound(.message, atMillis: 1_469_918_176_385) == "msg_01ARYZ6S410000000000000000")
        #expect(HeraldID.lowerBound(.event, atMillis: 0) == "evt_" + String(repeating: "0", count: 26))
    }

    @Test func theClockAgreesWithFoundation() {
        // Ids and times are read from clock_gettime; they must be the wall clock Date reads.
        let wallClock = Int64((Date().timeIntervalSince1970 * 1000).rounded())
        #expect(abs(Timestamps.now() - wallClock) < 1_000)
    }

    @Test(arguments: ["", "msg_", "msg_01M83X2R1TMR0GTVHXTN2Y01H", "msg_01M83X2R1TMR0GTVHXTN2Y01HKK",
                      "msg-01M83X2R1TMR0GTVHXTN2Y01HK", "msg_01M83X2R1TMR0GTVHXTN2Y01HU", "dlv_01M83X2R1TMR0GTVHXTN2Y01HK"])
    func rejectsMalformed(text: String) {
        #expect(!HeraldID.isValid(text, kind: .message))
    }
}
