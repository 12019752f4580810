import CCurl
import HeraldCore

/// A transfer that produced no HTTP response, classified so channels can decide retry vs. fail.
public struct TransportError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        /// Could not resolve or connect (retry).
        case connect
        /// No complete answer in time (retry).
        case timeout
        /// Connection broke mid-transfer, TLS failed, or garbage came back (retry).
        case network
        /// The destination resolves to a loopback/private address and those are blocked (permanent).
        case blockedAddress
        /// The request itself is unusable: a malformed URL (permanent).
        case invalidRequest
        /// libcurl itself failed (retry).
        case `internal`
    }

    public var kind: Kind
    public var message: String
    public var curlCode: Int?

    public init(kind: Kind, message: String, curlCode: Int? = nil) {
        self.kind = kind
        self.message = message
        self.curlCode = curlCode
    }

    init(curlCode code: CURLcode) {
        var text = String(cString: curl_easy_strerror(code))
        let kind: Kind
        switch code {
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY, CURLE_COULDNT_CONNECT:
            kind = .connect
        case CURLE_OPERATION_TIMEDOUT:
            kind = .timeout
        case CURLE_UNSUPPORTED_PROTOCOL:
            // Schemes are checked before a request is made (http/https destinations, smtp/smtps
            // servers), so at transfer time this is a peer that answered something that is not the
            // protocol (an HTTP/0.9-looking reply, junk): the server's fault, and worth a retry.
            kind = .network
            text = "the reply was not a valid response of the protocol (\(text))"
        case CURLE_URL_MALFORMAT:
            kind = .invalidRequest
        case CURLE_OUT_OF_MEMORY, CURLE_FAILED_INIT:
            kind = .internal
        default:
            kind = .network
        }
        self.init(kind: kind, message: "\(text) (curl \(code.rawValue))", curlCode: Int(code.rawValue))
    }

    /// Whether trying again later may succeed.
    public var isRetryable: Bool {
        switch kind {
        case .connect, .timeout, .network, .internal: true
        case .blockedAddress, .invalidRequest: false
        }
    }

    /// The attempt's outcome when nothing came back: retried later, or failed for good.
    public var outcome: DeliveryOutcome {
        isRetryable ? .retry(after: nil, reason: message) : .failed(reason: message)
    }

    public var description: String { message }
}
