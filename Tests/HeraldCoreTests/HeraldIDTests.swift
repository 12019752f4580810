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

    @Test func idsSortByCreationEvenWithinOneMillisecond() {
        let now = Date()
        let ids = (0..<10_000).map { _ in HeraldID.make(.delivery, now: now) }
        #expect(ids == ids.sorted())
        #expect(Set(ids).count == ids.count)
        let later = HeraldID.make(.delivery, now: now.addingTimeInterval(0.002))
        #expect(later > ids.last!)
    }

    @Test func timePrefixEncodesMilliseconds() {
        // The generator is process-wide and monotonic (tests run in parallel), so use times later
        // than any other test's ids.
        let a = HeraldID.make(.message, now: Date().addingTimeInterval(1_000_000))
        let b = HeraldID.make(.message, now: Date().addingTimeInterval(2_000_000))
        #expect(a.prefix(14) < b.prefix(14))
    }

    @Test func aClockStepBackStillGivesIncreasingIds() {
        let first = HeraldID.make(.event, now: Date().addingTimeInterval(3_000))
        let earlier = HeraldID.make(.event, now: Date(timeIntervalSince1970: 1_000))
        #expect(earlier > first)
    }

    @Test func encodesTheULIDSpecExample() {
        // The ULID spec's example time, 1469918176385 ms, is 01ARYZ6S41.
        #expect(HeraldID.lowerBound(.message, atMillis: 1_469_918_176_385) == "msg_01ARYZ6S410000000000000000")
        #expect(HeraldID.lowerBound(.event, atMillis: 0) == "evt_" + String(repeating: "0", count: 26))
    }

    @Test func theClockAgreesWithFoundation() {
        // Ids and times are read from clock_gettime; they must be the wall clock Date reads.
        // (An id's own time cannot be checked here: other tests push the shared generator ahead.)
        let wallClock = Int64((Date().timeIntervalSince1970 * 1000).rounded())
        #expect(abs(Timestamps.now() - wallClock) < 1_000)
    }

    @Test(arguments: ["", "msg_", "msg_01M83X2R1TMR0GTVHXTN2Y01H", "msg_01M83X2R1TMR0GTVHXTN2Y01HKK",
                      "msg-01M83X2R1TMR0GTVHXTN2Y01HK", "msg_01M83X2R1TMR0GTVHXTN2Y01HU", "dlv_01M83X2R1TMR0GTVHXTN2Y01HK"])
    func rejectsMalformed(text: String) {
        #expect(!HeraldID.isValid(text, kind: .message))
    }
}
