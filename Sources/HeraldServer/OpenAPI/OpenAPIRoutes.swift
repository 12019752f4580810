import HTTPTypes
import Hummingbird
import NIOCore

/// `GET /openapi.json`: the API description (public, like `/healthz`).
struct OpenAPIRoutes: Sendable {
    func register(on router: Router<HeraldRequestContext>) {
        let bytes = ByteBuffer(string: OpenAPIDocument.json)
        router.get("/openapi.json") { _, _ in
            var headers = HTTPFields()
            headers[.contentType] = "application/json"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: bytes))
        }
    }
}
