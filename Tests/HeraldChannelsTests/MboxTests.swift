import HeraldChannels
import Testing

@Suite struct MboxTests {
    @Test func messagesSplitAtFromLinesAndQuotedFromLinesAreRestored() {
        let text = """
            From MAILER-DAEMON Mon Dec  7 06:00:00 2026\r
            Subject: one\r
            \r
            >From the start, this line was quoted.\r
            >>From deeper.\r
            From is not a separator inside a paragraph.\r
            \r
            From MAILER-DAEMON Mon Dec  7 06:01:00 2026
            Subject: two

            body two

            """
        let messages = Mbox.messages(Array(text.utf8)).map { String(decoding: $0, as: UTF8.self) }
        #expect(messages.count == 2)
        #expect(messages[0] == "Subject: one\r\n\r\nFrom the start, this line was quoted.\r\n>From deeper.\r\nFrom is not a separator inside a paragraph.\n")
        #expect(messages[1] == "Subject: two\n\nbody two\n")
    }

    @Test func textBeforeTheFirstFromLineAndEmptyInputAreNoMessages() {
        #expect(Mbox.messages(Array("not a mailbox\n".utf8)).isEmpty)
        #expect(Mbox.messages([]).isEmpty)
    }
}
