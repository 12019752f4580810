import HTTPTypes
import HeraldCore
import Hummingbird

/// A CSV download: `text/csv` in UTF-8, offered to save as `filename`.
enum CSVResponse {
    static func make(_ text: String, filename: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/csv; charset=utf-8"
        // The name is ours (digits, letters, dashes), never the caller's: nothing to escape.
        headers[.contentDisposition] = "attachment; filename=\"\(filename)\""
        headers[.cacheControl] = "no-store"
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}
