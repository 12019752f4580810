import CoreMetrics
import HTTPTypes
import HeraldCore
import HeraldStore
import Hummingbird
import Logging

/// `GET /t/o/{token}` (open pixel) and `GET /t/c/{token}` (click redirect). Public, but every token
/// is HMAC-signed: a forged or altered token gets 404 and never redirects anywhere.
struct TrackingRoutes: Sendable {
    let store: any Store
    let signer: LinkSigner

    func register(on router: Router<HeraldRequestContext>) {
        router.get("/t/o/:token") { request, context in
            let link = try verified(context, kind: .open)
            await record(link, request: request, context: context)
            var headers = HTTPFields()
            headers[.contentType] = "image/gif"
            headers[.cacheControl] = "no-store, no-cache, must-revalidate, private"
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: transparentPixel)))
        }
        router.get("/t/c/:token") { request, context in
            let link = try verified(context, kind: .click)
            await record(link, request: request, context: context)
            var headers = HTTPFields()
            headers[.location] = link.url ?? ""
            headers[.cacheControl] = "no-store"
            return Response(status: .found, headers: headers)
        }
    }

    private func verified(_ context: HeraldRequestContext, kind: TrackedLink.Kind) throws -> TrackedLink {
        guard let token = context.parameters.get("token"), let link = signer.verify(token), link.kind == kind else {
            throw HeraldError.notFound("unknown link")
        }
        return link
    }

    /// Best effort: a recipient's click must reach its target even when the database is unavailable.
    private func record(_ link: TrackedLink, request: Request, context: HeraldRequestContext) async {
        let actor = EngagementActor.classify(userAgent: request.headers[.userAgent])
        Counter(label: "herald_engagement_total", dimensions: [
            ("kind", link.kind == .click ? "click" : "open"), ("actor", actor == EngagementActor.person ? "person" : "machine"),
        ]).increment()
        do {
            let found = try await store.recordEngagement(
                deliveryID: link.deliveryID, kind: link.kind, url: link.url, userAgent: request.headers[.userAgent],
                at: Timestamps.now())
            if !found { context.logger.notice("tracking token for an unknown delivery", metadata: ["delivery": "\(link.deliveryID)"]) }
        } catch {
            context.logger.error("could not record engagement", metadata: ["delivery": "\(link.deliveryID)", "error": "\(error)"])
        }
    }
}

/// A transparent 1×1 GIF.
private let transparentPixel: [UInt8] = [
    0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0x01, 0x00, 0x01, 0x00, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF,
    0x21, 0xF9, 0x04, 0x01, 0x00, 0x00, 0x00, 0x00, 0x2C, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x02,
    0x02, 0x44, 0x01, 0x00, 0x3B,
]
