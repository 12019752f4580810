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
