import Testing

@testable import HeraldChannels

/// One reused handle against a real HTTP peer on loopback: a worker's handle is set up once and
/// then sends only URL, headers and body, so nothing of one request may linger into the next.
@Suite struct CurlEasyTests {
    static let open = HTTPOptions(blockPrivateAddresses: false)

    @Test func aReusedHandleSendsEachRequestsOwnHeadersAndBodyOnOneConnection() throws {
        let server = try LoopbackHTTPServer()
        defer { server.stop() }
        let curl = try CurlEasy()
        let first = try curl.post(url: server.url, headers: [("X-First", "1"), ("Content-Type", "application/json")],
                                  body: Array(#"{"n":1}"#.utf8), options: Self.open)
        let second = try curl.post(url: server.url + "?again", headers: [("X-Second", "2")],
                                   body: Array(#"{"n":22}"#.utf8), options: Self.open)
        #expect(first.status == 200 && second.status == 200)
        #expect(second.header("X-Peer") == "loopback" && second.body == Array(#"{"ok":true}"#.utf8))
        // Every header of the answer, in order, names in lower case; the status line is not one.
        #expect(second.headers.map { "\($0.0)=\($0.1)" } == ["content-type=application/json", "content-length=11", "x-peer=loopback"])
        let seen = server.requests
        try #require(seen.count == 2)
        #expect(seen[0].requestLine == "POST /hook HTTP/1.1" && seen[1].requestLine == "POST /hook?again HTTP/1.1")
        #expect(seen[0].headers["x-first"] == "1" && seen[0].body == Array(#"{"n":1}"#.utf8))
        #expect(seen[1].headers["x-first"] == nil && seen[1].headers["x-second"] == "2")
        #expect(seen[1].body == Array(#"{"n":22}"#.utf8) && seen[1].headers["content-length"] == "8")
        #expect(seen[1].headers["user-agent"] == Self.open.userAgent && seen[1].headers["expect"] == nil)
        #expect(seen[0].connection == seen[1].connection, "the connection is kept between requests")
    }

    @Test func changedOptionsTakeEffectOnTheSameHandle() throws {
        let server = try LoopbackHTTPServer()
        defer { server.stop() }
        let curl = try CurlEasy()
        #expect(try curl.post(url: server.url, headers: [], body: [], options: Self.open).status == 200)
        // The same handle, now refusing private addresses: loopback is blocked before any request.
        var guarded = Self.open
        guarded.blockPrivateAddresses = true
        let refused = #expect(throws: TransportError.self) { try curl.post(url: server.url, headers: [], body: [], options: guarded) }
        #expect(refused?.kind == .blockedAddress)
        // And open again: the address check is gone, the new user agent is sent.
        var renamed = Self.open
        renamed.userAgent = "Herald-test/2"
        #expect(try curl.post(url: server.url, headers: [], body: [], options: renamed).status == 200)
        let seen = server.requests
        #expect(seen.count == 2)
        #expect(seen.last?.headers["user-agent"] == "Herald-test/2")
    }
}
