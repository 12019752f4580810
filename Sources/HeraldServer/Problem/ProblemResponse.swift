import HTTPTypes
import HeraldCore
import Hummingbird

/// Builds problem+json bodies: `type`, `title`, `status`, `detail`, `instance`, and
/// `invalid_params` (name + reason for each offending field) where fields were at fault.
enum ProblemResponse {
    static func make(_ error: HeraldError, status: Int? = nil, instance: String? = nil) -> Response {
        let code = status ?? error.httpStatus
        var body: [String: JSONValue] = [
            "type": .string("https://herald.dev/problems/\(error.kind.rawValue)"),
            "title": .string(title(error.kind)),
            "status": .int(Int64(code)),
            "detail": .string(error.detail),
        ]
        if let instance { body["instance"] = .string(instance) }
        if !error.fields.isEmpty { body["invalid_params"] = invalidParams(error) }
        var headers = HTTPFields()
        headers[.contentType] = "application/problem+json"
        if error.kind == .unavailable { headers[.retryAfter] = "5" }
        if error.kind == .rateLimited { headers[.retryAfter] = "1" }
        if error.kind == .unauthorized { headers[.wwwAuthenticate] = "Bearer realm=\"herald\"" }
        return Response(
            status: HTTPResponse.Status(code: code), headers: headers,
            body: ResponseBody(byteBuffer: ByteBuffer(string: JSONValue.object(body).canonicalText)))
    }

    /// `[{name, reason}]` for each field the error names (a problem's and a batch entry's `invalid_params`).
    static func invalidParams(_ error: HeraldError) -> JSONValue {
        .array(error.fields.map { .object(["name": .string($0.name), "reason": .string($0.reason)]) })
    }

    private static func title(_ kind: HeraldError.Kind) -> String {
        switch kind {
        case .invalidInput: "Invalid request"
        case .malformedJSON: "Malformed JSON"
        case .payloadTooLarge: "Payload too large"
        case .unauthorized: "Unauthorized"
        case .forbidden: "Forbidden"
        case .notFound: "Not found"
        case .conflict: "Conflict"
        case .rateLimited: "Too many requests"
        case .unavailable: "Service unavailable"
        case .configuration: "Configuration error"
        case .internal: "Internal error"
        }
    }
}
