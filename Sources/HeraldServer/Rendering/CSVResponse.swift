import HTTPTypes
import HeraldCore
import Hummingbird

/// A CSV download: `text/csv` in UTF-8, offered to save as `filename`.
enum CSVResponse {
    static func make(_ text: String, filename: String) -> Response {
        Response(status: .ok, headers: headers(filename: filename), body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    /// The headers of a CSV download. `filename` is ours (digits, letters, dashes), never the
    /// caller's: nothing to escape.
    static func headers(filename: String) -> HTTPFields {
        var headers = HTTPFields()
        headers[.contentType] = "text/csv; charset=utf-8"
        headers[.contentDisposition] = "attachment; filename=\"\(filename)\""
        headers[.cacheControl] = "no-store"
        return headers
    }
}
