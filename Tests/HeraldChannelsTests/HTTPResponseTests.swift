@testable import HeraldChannels
import Testing

/// Response headers are kept as the bytes libcurl handed over and parsed only when read.
@Suite struct HTTPResponseTests {
    static func pairs(_ response: HTTPResponse) -> [String] { response.headers.map { "\($0.0)=\($0.1)" } }

    @Test func headerLinesAreSplitTrimmedAndLowercasedInOrder() {
        let lines = Array("Retry-After:  7 \r\nX-Empty:\r\nSet-Cookie: a=b; Path=/\r\nVia: 1.1 proxy:8080\nLast: x".utf8)
        let response = HTTPResponse(status: 429, headerLines: lines, body: [])
        #expect(Self.pairs(response) == ["retry-after=7", "x-empty=", "set-cookie=a=b; Path=/", "via=1.1 proxy:8080", "last=x"])
        #expect(response.header("RETRY-AFTER") == "7" && response.header("x-missing") == nil)
    }

    @Test func headersGivenAsPairsReadBackTheSame() {
        let response = HTTPResponse(status: 200, headers: [("retry-after", "120"), ("x-id", "a:b")], body: [1])
        #expect(Self.pairs(response) == ["retry-after=120", "x-id=a:b"])
        #expect(response == HTTPResponse(status: 200, headerLines: Array("Retry-After: 120\r\nX-Id:a:b\r\n".utf8), body: [1]))
        #expect(response != HTTPResponse(status: 200, headers: [("retry-after", "121"), ("x-id", "a:b")], body: [1]))
        #expect(HTTPResponse(status: 204, headerLines: [], body: []).headers.isEmpty)
    }
}
