import HeraldCore
import HeraldStore
import Testing

/// Which destinations the suppression list is consulted for: email addresses and phone numbers,
/// never URLs or robot keys (an `@` in a URL's path or user part does not make it an address).
@Suite struct SuppressionsTests {
    @Test(arguments: [
        ("li@client.example", true), ("Li.Wang+cs@client.example", true), ("+8613800138000", true),
        ("https://crm.example.com/hooks/herald", false), ("https://user@crm.example.com/x", false),
        ("https://crm.example.com/@team", false), ("a@b/c", false), ("3f2a#secret", false), ("", false), ("@", true),
    ])
    func canBeSuppressed(address: String, expected: Bool) {
        #expect(Suppressions.canBeSuppressed(address) == expected)
    }
}

/// Which entry applies when several hold for one delivery, and whether the fallback goes on.
@Suite struct SuppressionHitTests {
    typealias Entry = (category: String, source: String, reason: String)

    @Test func onlyReachabilityEntriesStartTheFallback() {
        let starts = Suppression.Source.allCases.filter { SuppressionHit(source: $0.rawValue, reason: "r").startsFallback }
        #expect(starts == [.bounce, .wrongNumber, .optOut])
        #expect(!SuppressionHit(source: "imported", reason: "r").startsFallback)
    }

    @Test func consentWinsThenAllThenTheCategoryThenTheChannelInAnyOrder() {
        let entries: [Entry] = [
            ("channel:sms", "opt_out", "STOP"), ("all", "bounce", "550"), ("marketing", "unsubscribe", "link"),
            ("channel:email", "manual", "hold"),
        ]
        // Every rotation of the list gives the same answer.
        for shift in entries.indices {
            let rotated = Array(entries[shift...] + entries[..<shift])
            #expect(SuppressionHit.applying(rotated, category: .marketing, channel: "sms") == SuppressionHit(source: "unsubscribe", reason: "link"))
            #expect(SuppressionHit.applying(rotated, category: .transactional, channel: "sms") == SuppressionHit(source: "bounce", reason: "550"))
            #expect(SuppressionHit.applying(rotated, category: .transactional, channel: "email") == SuppressionHit(source: "manual", reason: "hold"))
        }
        #expect(SuppressionHit.applying([("channel:sms", "opt_out", "STOP")], category: .transactional, channel: "sms")?.startsFallback == true)
        #expect(SuppressionHit.applying([("channel:sms", "opt_out", "STOP")], category: .transactional, channel: "phone") == nil)
        #expect(SuppressionHit.applying([Entry](), category: .marketing, channel: "email") == nil)
    }
}
