import CCurl
import Testing

@testable import HeraldChannels

/// One thread drives several transfers through libcurl's multi interface (the webhook channel's
/// sender), against a real HTTP peer on loopback.
@Suite struct CurlMultiTests {
    @Test func transfersRunTogetherEachWithItsOwnRequestAndConnectionsAreKept() throws {
        let server = try LoopbackHTTPServer()
        defer { server.stop() }
        let multi = try CurlMulti()
        let handles = try (0..<3).map { _ in try CurlEasy() }
        for round in 0..<2 {
            for (index, easy) in handles.enumerated() {
                try easy.startPost(url: server.url + "?round=\(round)&n=\(index)", headers: [("X-N", "\(index)")],
                                   body: Array(#"{"n":\#(index)}"#.utf8), options: CurlEasyTests.open)
                try multi.add(easy, tag: index)
            }
            #expect(multi.count == 3)
            var finished: [(easy: CurlEasy, tag: Int, code: CURLcode)] = []
            while finished.count < 3 {  // each transfer ends by itself (at the latest at its timeout)
                finished += multi.perform()
                if finished.count < 3 { multi.wait(milliseconds: 1_000) }
            }
            #expect(multi.count == 0)
            #expect(finished.allSatisfy { handles[$0.tag] === $0.easy }, "each transfer ends under its own tag")
            for (easy, _, code) in finished {
                let response = try easy.finishPost(code)
                #expect(response.status == 200 && response.header("x-peer") == "loopback")
            }
        }
        let seen = server.requests
        try #require(seen.count == 6)
        for request in seen {
            let n = request.requestLine.split(separator: "=").last.map { String($0.prefix(1)) } ?? "?"
            #expect(request.headers["x-n"] == n && request.body == Array(#"{"n":\#(n)}"#.utf8), "\(request.requestLine)")
        }
        // Three connections, opened in the first round and used again in the second.
        #expect(Set(seen.map(\.connection)).count == 3)
    }

    @Test func aBlockedAddressEndsItsTransferWithoutARequest() throws {
        let server = try LoopbackHTTPServer()
        defer { server.stop() }
        let multi = try CurlMulti()
        let easy = try CurlEasy()
        var guarded = CurlEasyTests.open
        guarded.blockPrivateAddresses = true
        try easy.startPost(url: server.url, headers: [], body: [], options: guarded)
        try multi.add(easy, tag: 7)
        var finished: [(easy: CurlEasy, tag: Int, code: CURLcode)] = []
        while finished.isEmpty {
            finished = multi.perform()
            if finished.isEmpty { multi.wait(milliseconds: 1_000) }
        }
        #expect(finished[0].tag == 7)
        let refused = #expect(throws: TransportError.self) { try easy.finishPost(finished[0].code) }
        #expect(refused?.kind == .blockedAddress)
        #expect(server.requests.isEmpty)
    }
}
