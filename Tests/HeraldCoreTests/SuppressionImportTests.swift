import HeraldCore
import Testing

@Suite struct SuppressionImportTests {
    @Test func rowsTakeTheirOwnCategoryAndReasonOrTheDefaults() throws {
        let text = "\u{FEFF}address,category,reason\r\n# a comment\r\n\r\n Li@Client.example \r\n"
            + "promo@client.example,marketing\r\n\"+8613800138000\",,\"wrong number, per the CSM\"\r\nli@client.example\r\n"
        let entries = try SuppressionImport.parse(
            text, file: "list.csv", category: .all, reason: "old provider", actor: "cli:ops", now: 7)
        #expect(entries.map(\.address) == ["li@client.example", "promo@client.example", "+8613800138000"])
        #expect(entries.map(\.category) == ["all", "marketing", "all"])
        #expect(entries.map(\.reason) == ["old provider", "old provider", "wrong number, per the CSM"])
        #expect(entries.allSatisfy { $0.source == "manual" && $0.actor == "cli:ops" && $0.createdAt == 7 })
    }

    @Test func everyProblemIsNamedByLineAndColumnAndNothingIsReturned() {
        let text = "ok@client.example\nnobody\nx@client.example,spam\ny@client.example,all,\"two\nlines\"\na,b,c,d\n"
        do {
            _ = try SuppressionImport.parse(text, file: "list.csv", category: .all, reason: "r", actor: "cli:ops", now: 0)
            Issue.record("an invalid file was accepted")
        } catch {
            #expect(error.fields.map(\.name) == [
                "list.csv:2: address", "list.csv:3: category", "list.csv:4: reason", "list.csv:6: row", "list.csv:6: address",
                "list.csv:6: category",
            ])
        }
        // Without --reason, a row without its own reason is a problem.
        #expect(throws: HeraldError.self) {
            try SuppressionImport.parse("a@b.example\n", file: "f", category: .all, reason: nil, actor: "a", now: 0)
        }
    }
}
