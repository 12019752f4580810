import HTTPTypes
import HeraldCore
import Hummingbird

/// Reads a request body within a size limit (as JSON, or as bytes).
enum RequestBody {
    /// With `allowEmpty`, a request without a body reads as `{}` (for POSTs whose fields are all optional).
    static func json(_ request: Request, limit: Int, allowEmpty: Bool = false) async throws -> JSONValue {
        if let type = request.headers[.contentType]?.lowercased(),
            !(type.hasPrefix("application/json") || type.hasPrefix("application/") && type.contains("+json"))
        {
            throw HeraldError(kind: .invalidInput, detail: "Content-Type must be application/json, not \(type)",
                              fields: [.init(name: "Content-Type", reason: "must be application/json")])
        }
        let buffer = try await bytes(request, limit: limit)
        if allowEmpty && buffer.readableBytes == 0 { return .object([:]) }
        return try JSONValue.parse(buffer.readableBytesView)
    }

    /// The body as sent, refused with 413 past `limit` bytes.
    static func bytes(_ request: Request, limit: Int) async throws -> ByteBuffer {
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit {
            throw HeraldError(kind: .payloadTooLarge, detail: "the body is \(length) bytes; the limit is \(limit)")
        }
        do {
            return try await request.body.collect(upTo: limit)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw HeraldError(kind: .payloadTooLarge, detail: "the body is larger than the limit of \(limit) bytes")
        }
    }
}
