import HeraldCore
@testable import HeraldServer
import Testing

@Suite struct TwilioStatusTests {
    private func status(_ params: [String: String]) -> (String, DeliveryState?, String)? {
        ReceiptRoutes.twilioStatus { params[$0] }
    }

    @Test func callStatusesMapOntoDeliveries() throws {
        let answered = try #require(status(["CallSid": "CA1", "CallStatus": "completed", "CallDuration": "31"]))
        #expect(answered.0 == "CA1" && answered.1 == .delivered && answered.2 == "call answered, 31 s")
        let voicemail = try #require(status(["CallSid": "CA1", "CallStatus": "completed", "AnsweredBy": "machine_end_beep", "CallDuration": "40"]))
        #expect(voicemail.1 == .delivered && voicemail.2 == "call answered by voicemail, message left, 40 s")
        #expect(try #require(status(["CallSid": "CA1", "CallStatus": "completed", "AnsweredBy": "human"])).2 == "call answered")
        let fax = try #require(status(["CallSid": "CA1", "CallStatus": "completed", "AnsweredBy": "fax"]))
        #expect(fax.1 == .failed && fax.2 == "call answered by a fax machine")
        for failed in ["busy", "no-answer", "failed", "canceled"] {
            let s = try #require(status(["CallSid": "CA1", "CallStatus": failed]))
            #expect(s.1 == .failed && s.2 == "call \(failed)")
        }
        for pending in ["queued", "initiated", "ringing", "in-progress"] {
            #expect(try #require(status(["CallSid": "CA1", "CallStatus": pending])).1 == nil)
        }
    }

    @Test func messageStatusesStillMapAsBefore() throws {
        #expect(try #require(status(["MessageSid": "SM1", "MessageStatus": "delivered"])).1 == .delivered)
        #expect(try #require(status(["SmsSid": "SM1", "SmsStatus": "undelivered"])).1 == .failed)
        #expect(try #require(status(["MessageSid": "SM1", "MessageStatus": "sent"])).1 == nil)
        #expect(status(["CallSid": "CA1"]) == nil && status([:]) == nil)
    }
}
