import Foundation
@testable import HeraldCore
import Testing

@Suite struct DestinationRulesTests {
    /// Every URL the byte-level fast path accepts, `URLComponents` accepts too; what it leaves
    /// alone still gets `URLComponents`' verdict.
    @Test func plainURLFastPathAgreesWithURLComponents() {
        let plain = [
            "http://127.0.0.1:8080/hook", "https://hooks.acme.example/v1/events?team=cs&kind=welcome",
            "https://a.b", "http://x:1", "https://api.example.com/path/with-dash_under~tilde.json",
            "https://example.com/?q=a,b;c=d!e$f'g(h)*i+j@k:l/m?n", "http://h0.example:65535/",
        ]
        for url in plain {
            #expect(DestinationRules.isPlainHTTPURL(url), "\(url)")
            #expect(DestinationRules.componentsProblem(url) == nil, "\(url)")
            #expect(DestinationRules.urlProblem(url) == nil, "\(url)")
        }
        let notPlain = [
            "ftp://example.com/", "HTTP://example.com/", "https://user:pw@example.com/", "https://user@example.com",
            "https://example.com:99999/", "https://example.com:/", "https://.example.com/", "https://example..com/",
            "https://-x.example/", "https://example.com./", "https://example.com/%41", "https://example.com/#frag",
            "https://[::1]:8080/", "https://exa_mple.com/", "https://", "https:///path", "https://example.com\\x",
        ]
        for url in notPlain { #expect(!DestinationRules.isPlainHTTPURL(url), "\(url)") }
        #expect(DestinationRules.urlProblem("https://user:pw@example.com/") == "must not carry credentials in the URL")
        #expect(DestinationRules.urlProblem("ftp://example.com/") == "must use http or https, not 'ftp'")
        #expect(DestinationRules.urlProblem("https://[::1]:8080/hook") == nil)
        #expect(DestinationRules.urlProblem("https://example.com/a%20b#top") == nil)
        // Random strings over the fast path's alphabet: whatever it takes, URLComponents takes.
        let alphabet = Array("abcXYZ019.-_~!$&'()*+,;=:@/?%#[]".utf8)
        var generator = SystemRandomNumberGenerator()
        var accepted = 0
        for _ in 0..<20_000 {
            let host = String(decoding: (0..<Int.random(in: 1...8, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! }, as: UTF8.self)
            let rest = String(decoding: (0..<Int.random(in: 0...12, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! }, as: UTF8.self)
            let url = "https://" + host + rest
            if DestinationRules.isPlainHTTPURL(url) {
                accepted += 1
                #expect(DestinationRules.componentsProblem(url) == nil, "\(url)")
            }
        }
        #expect(accepted > 50)
    }
}
