import CCurl
import Testing

@testable import HeraldChannels

@Suite struct TransportErrorTests {
    @Test func peersThatBreakTheProtocolAreRetriedMalformedURLsAreNot() {
        // A reply that is not HTTP (curl 1 at transfer time: schemes are checked before any request).
        let junk = TransportError(curlCode: CURLE_UNSUPPORTED_PROTOCOL)
        #expect(junk.isRetryable && junk.message.contains("not a valid response") && junk.curlCode == 1)
        #expect(TransportError(curlCode: CURLE_RECV_ERROR).isRetryable)
        #expect(TransportError(curlCode: CURLE_SSL_CONNECT_ERROR).isRetryable)
        #expect(TransportError(curlCode: CURLE_OPERATION_TIMEDOUT).kind == .timeout)
        #expect(TransportError(curlCode: CURLE_COULDNT_CONNECT).kind == .connect)
        #expect(!TransportError(curlCode: CURLE_URL_MALFORMAT).isRetryable)
    }
}
