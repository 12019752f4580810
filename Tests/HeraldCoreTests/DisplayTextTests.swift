import HeraldCore
import Testing

@Suite struct DisplayTextTests {
    @Test func escapeSequencesNeverReachTheTerminal() {
        // A reply that would retitle the window, clear the screen and forge a line of output.
        let hostile = "bad gateway\u{1B}]0;owned\u{07}\u{1B}[2J\r\nherald: all deliveries sent\u{9B}31m"
        let shown = DisplayText.line(hostile)
        #expect(!shown.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) })
        #expect(shown == "bad gateway\u{FFFD}]0;owned\u{FFFD}\u{FFFD}[2J  herald: all deliveries sent\u{FFFD}31m")
    }

    @Test func everyScriptAndEmojiPassUnchanged() {
        for text in ["续约将于12月23日到期", "Señora Müller", "שלום", "e\u{301}", "👩‍💼 ok", "a – b … “c”", ""] {
            #expect(DisplayText.line(text) == text)
            #expect(DisplayText.block(text) == text)
        }
    }

    @Test func outcomeReasonsAreCleanedAndCut() {
        #expect(DeliveryOutcome.failed(reason: "HTTP 400: \u{1B}[2Jx").displayable == .failed(reason: "HTTP 400: \u{FFFD}[2Jx"))
        #expect(DeliveryOutcome.retry(after: 5, reason: String(repeating: "a", count: 2_000)).displayable
            == .retry(after: 5, reason: String(repeating: "a", count: 999) + "…"))
        #expect(DeliveryOutcome.sent(providerID: "SM1").displayable == .sent(providerID: "SM1"))
    }

    @Test func blocksKeepTheirLinesAndLinesBecomeOne() {
        #expect(DisplayText.block("one\r\ntwo\n\tthree\u{1B}") == "one\ntwo\n three\u{FFFD}")
        #expect(DisplayText.line("one\r\ntwo\u{2028}three") == "one  two three")
        // The separators alone (no other control to send the text down the slow path).
        #expect(DisplayText.line("a\u{2028}b\u{2029}c") == "a b c")
        #expect(DisplayText.line("\u{85}next") == "\u{FFFD}next")
        #expect(DisplayText.line("abcdef", limit: 4) == "abc…")
        #expect(DisplayText.line("abc", limit: 4) == "abc")
    }
}
