import HTTPTypes
import HeraldCore
import Hummingbird

/// A JSON response from a ``JSONValue`` (compact, sorted keys).
enum JSONResponse {
    static func make(_ value: JSONValue, status: HTTPResponse.Status = .ok, headers extra: HTTPFields = [:]) -> Response {
        make(bytes: value.canonicalBytes, status: status, headers: extra)
    }

    /// A JSON response from bytes already written in that form (see ``BatchAnswer``).
    static func make(bytes: [UInt8], status: HTTPResponse.Status, headers extra: HTTPFields = [:]) -> Response {
        var headers = extra
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
