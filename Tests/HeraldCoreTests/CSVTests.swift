import HeraldCore
import Testing

@Suite struct CSVTests {
    @Test(arguments: [
        (CSV.Field.text("plain"), "plain"),
        (.text("a,b"), "\"a,b\""),
        (.text("say \"hi\""), "\"say \"\"hi\"\"\""),
        (.text("two\nlines"), "\"two\nlines\""),
        (.text("cr\r\nlf"), "\"cr\r\nlf\""),
        (.text("星河科技"), "星河科技"),
        (.text(""), ""),
        // What a spreadsheet would run as a formula is text, prefixed with a quote.
        (.text("=HYPERLINK(\"http://evil.example\",\"x\")"), "\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")\""),
        (.text("+1 555"), "'+1 555"), (.text("-2"), "'-2"), (.text("@SUM(A1)"), "'@SUM(A1)"), (.text("\tx"), "'\tx"),
        // Numbers as they are.
        (.int(-3), "-3"), (.int(1_234), "1234"), (.rate(0.5), "0.5000"), (.rate(0.12345), "0.1235"), (.rate(1), "1.0000"),
        (.rate(nil), ""),
    ])
    func eachFieldIsWrittenSoASpreadsheetReadsItBack(field: CSV.Field, written: String) {
        #expect(CSV.line([field]) == written + "\r\n")
    }

    @Test func aDocumentIsAHeaderThenRowsWithCRLF() {
        let text = CSV.document(header: ["template", "open_rate"], rows: [["welcome", .rate(0.25)], ["kick,off", .rate(nil)]])
        #expect(text == "template,open_rate\r\nwelcome,0.2500\r\n\"kick,off\",\r\n")
        #expect(CSV.document(header: ["a"], rows: [], byteOrderMark: true) == "\u{FEFF}a\r\n")
    }
}
