import HeraldCore
import Testing

@Suite struct MessageRequestParserTests {
    let parser = MessageRequestParser(channels: ["webhook": .webhook, "crm": .webhook])
    let now: Int64 = 1_795_000_000_000

    func parse(_ text: String, header: String? = nil) throws(HeraldError) -> MessageRequest {
        try parser.parse(try JSONValue.parse(Array(text.utf8)), idempotencyKeyHeader: header, now: now)
    }

    func problems(_ text: String, header: String? = nil) -> [String: String] {
        do {
            _ = try parse(text, header: header)
            return [:]
        } catch {
            return Dictionary(error.fields.map { ($0.name, $0.reason) }, uniquingKeysWith: { a, _ in a })
        }
    }

    @Test func parsesAFullRequest() throws {
        let request = try parse("""
            {"to": {"webhook": "https://crm.example.com/hooks/herald", "crm": ["https://a.example/x", "https://b.example/y"]},
             "subject": "Renewal in 30 days", "text": "…", "data": {"renewal_date": "2026-12-23"},
             "client_id": "acme", "template": "renewal-reminder", "locale": "zh-CN", "priority": "high",
             "category": "marketing", "send_at": "2026-12-01T09:00:00+08:00", "expires_at": "2026-12-02T00:00:00Z",
             "idempotency_key": "acme-renewal-1"}
            """)
        #expect(request.destinations.count == 3)
        #expect(request.destinations.contains(.init(channel: "webhook", address: "https://crm.example.com/hooks/herald")))
        #expect(request.priority == .high && request.category == .marketing)
        #expect(request.sendAt == 1_796_086_800_000)
        #expect(request.expiresAt == 1_796_169_600_000)
        #expect(request.idempotencyKey == "acme-renewal-1")
        #expect(request.data == .object(["renewal_date": .string("2026-12-23")]))
    }

    @Test(arguments: [
        (#"{"to": {"webhook": "https://x.example"}, "text": "a", "colour": 1}"#, "colour", "unknown field"),
        (#"{"to": {"webhook": "https://x.example"}, "subject": 5}"#, "subject", "must be a string"),
        (#"{"to": {"webhook": "https://x.example"}, "subject": "a\r\nBcc: x@evil"}"#, "subject", "line breaks"),
        (#"{"to": {"webhook": "ftp://x.example"}, "text": "a"}"#, "to.webhook", "http or https"),
        (#"{"to": {"webhook": "https://"}, "text": "a"}"#, "to.webhook", "host"),
        (#"{"to": {"webhook": "https://x.example/a b"}, "text": "a"}"#, "to.webhook", "spaces"),
        (#"{"to": {"webhook": "https://u:p@x.example"}, "text": "a"}"#, "to.webhook", "credentials"),
        (#"{"to": {"pager": "https://x.example"}, "text": "a"}"#, "to.pager", "unknown channel"),
        (#"{"to": {"webhook": "https://x.example"}}"#, "template", "give a template"),
        (#"{"text": "a"}"#, "to", "required"),
        (#"{"to": "https://x.example", "text": "a"}"#, "to", "must be an object"),
        (#"{"to": {"webhook": []}, "text": "a"}"#, "to.webhook", "must not be empty"),
        (#"{"to": {"webhook": [1]}, "text": "a"}"#, "to.webhook[0]", "must be a string"),
        (#"{"to": {"webhook": ["ftp://x.example"]}, "text": "a"}"#, "to.webhook[0]", "http or https"),
        (#"{"to": {"webhook": ["https://x.example", "ftp://y.example"]}, "text": "a"}"#, "to.webhook[1]", "http or https"),
        (#"{"to": {"webhook": "https://x.example"}, "text": "a", "priority": "asap"}"#, "priority", "must be one of"),
        (#"{"to": {"webhook": "https://x.example"}, "text": "a", "send_at": "tomorrow"}"#, "send_at", "RFC 3339"),
        (#"{"to": {"webhook": "https://x.example"}, "text": "a", "expires_at": "2020-01-01T00:00:00Z"}"#, "expires_at", "past"),
        (#"{"to": {"webhook": "https://x.example"}, "text": "a", "data": [1]}"#, "data", "must be an object"),
        (#"{"to": {"webhook": "https://x.example"}, "text": "a", "template": "Bad Name"}"#, "template", "invalid format"),
        (#"{"to": {"webhook": "https://x.example"}, "text": "a", "idempotency_key": "has space"}"#, "idempotency_key", "printable"),
        (#"{"to": {"webhook": "https://x.example"}, "text": "a", "channels": ["sms"]}"#, "channels[0]", "unknown channel"),
        (#"{"to": {"webhook": "https://x.example"}, "text": "a", "channels": ["crm"]}"#, "to.crm", "no address"),
        (#"{"to": {"webhook": "https://x.example"}, "text": "", "subject": "s"}"#, "text", "must not be empty"),
    ])
    func namesTheOffendingField(body: String, field: String, reason: String) {
        let found = problems(body)
        #expect(found[field]?.contains(reason) == true, "expected \(field): \(reason), got \(found)")
    }

    @Test func dataTextIsTheCanonicalDataAndFollowsChanges() throws {
        var request = try parse("""
            {"to": {"webhook": "https://a.example/x"}, "text": "Hi {{name}}", "data": {"z": [1, 2.5], "name": "Li"}}
            """)
        #expect(request.dataText == request.data.canonicalText)
        #expect(request.dataText == #"{"name":"Li","z":[1,2.5]}"#)
        let copy = try parse(#"{"to": {"webhook": "https://a.example/x"}, "text": "Hi {{name}}", "data": {"name": "Li", "z": [1, 2.5]}}"#)
        #expect(copy == request)
        request.data = .object(["name": .string("Wang")])
        #expect(request.dataText == #"{"name":"Wang"}"#)
        #expect(copy != request)
    }

    @Test func collectsEveryProblemAtOnce() {
        let found = problems(#"{"to": {"webhook": "ftp://x"}, "subject": 5, "bogus": 1}"#)
        #expect(Set(found.keys) == ["to.webhook", "subject", "bogus", "template"])
    }

    @Test func headerKeyMustAgreeWithBodyKey() {
        #expect(problems(#"{"to": {"webhook": "https://x.example"}, "text": "a", "idempotency_key": "a"}"#, header: "b")["idempotency_key"] != nil)
        #expect(problems(#"{"to": {"webhook": "https://x.example"}, "text": "a"}"#, header: "bad key")["Idempotency-Key"] != nil)
    }

    @Test func fingerprintIgnoresKeyOrderAndIdempotencyKey() throws {
        let a = try parse(#"{"to": {"webhook": "https://x.example"}, "text": "a", "data": {"x": 1, "y": [1, 2]}, "idempotency_key": "k1"}"#)
        let b = try parse(#"{"idempotency_key": "k2", "data": {"y": [1, 2], "x": 1}, "text": "a", "to": {"webhook": "https://x.example"}}"#)
        let c = try parse(#"{"to": {"webhook": "https://x.example"}, "text": "b", "data": {"x": 1, "y": [1, 2]}}"#)
        #expect(a.fingerprint == b.fingerprint)
        #expect(a.fingerprint != c.fingerprint)
    }

    @Test func limitsAreEnforced() {
        let small = MessageRequestParser(channels: ["webhook": .webhook], limits: MessageLimits(maximumSubjectLength: 10, maximumContentBytes: 8, maximumDataBytes: 16, maximumDestinations: 2))
        func problem(_ text: String) -> [String] {
            do {
                _ = try small.parse(try JSONValue.parse(Array(text.utf8)), now: now)
                return []
            } catch { return error.fields.map(\.name) }
        }
        #expect(problem(#"{"to": {"webhook": "https://x.example"}, "subject": "12345678901"}"#) .contains("subject"))
        #expect(problem(#"{"to": {"webhook": "https://x.example"}, "text": "123456789"}"#) .contains("text"))
        #expect(problem(#"{"to": {"webhook": "https://x.example"}, "text": "a", "data": {"k": "0123456789"}}"#) == ["data"])
        #expect(problem(#"{"to": {"webhook": ["https://a.example", "https://b.example", "https://c.example"]}, "text": "a"}"#) == ["to"])
    }

    @Test func malformedJSONIsItsOwnError() {
        // Foundation's decoder tolerates a trailing comma ("[1,]"); that leniency is harmless and not tested here.
        for text in ["", "{", #"{"a": }"#, "\u{FF}", "{\"a\": 1} x"] {
            #expect {
                _ = try JSONValue.parse(Array(text.utf8))
            } throws: { error in
                (error as? HeraldError)?.kind == .malformedJSON
            }
        }
        let deep = String(repeating: "[", count: 40) + String(repeating: "]", count: 40)
        #expect(throws: HeraldError.self) { _ = try JSONValue.parse(Array(deep.utf8)) }
    }
}
