import HTTPTypes
import HeraldCore
import HeraldStore
import Hummingbird

/// `GET /u/{token}`: a page that asks for confirmation (a GET never unsubscribes: link scanners
/// fetch every link). `POST /u/{token}`: the confirmation form and RFC 8058 one-click
/// (`List-Unsubscribe=One-Click`, no cookies, no login) — suppresses the address for marketing.
struct UnsubscribeRoutes: Sendable {
    let store: any Store
    let signer: LinkSigner

    func register(on router: Router<HeraldRequestContext>) {
        router.get("/u/:token") { _, context in
            let token = try verified(context)
            return page(
                title: "Unsubscribe / 退订",
                body: """
                    <p>Stop receiving marketing emails at this address? Service messages about your account still arrive.</p>
                    <p>确定不再接收发往此地址的营销邮件吗？与您账户相关的服务通知仍会照常发送。</p>
                    <form method="post" action="/u/\(token)">
                    <input type="hidden" name="List-Unsubscribe" value="One-Click">
                    <button type="submit" style="padding:10px 18px;font-size:15px">Unsubscribe / 退订</button>
                    </form>
                    """)
        }
        router.post("/u/:token") { request, context in
            _ = try verified(context)
            // The body (List-Unsubscribe=One-Click) carries no information we need; read and drop it.
            _ = try? await request.body.collect(upTo: 4_096)
            guard let token = context.parameters.get("token"), let link = signer.verify(token),
                  try await store.unsubscribe(deliveryID: link.deliveryID, at: Timestamps.now()) != nil
            else { throw HeraldError.notFound("unknown link") }
            return page(
                title: "Unsubscribed / 已退订",
                body: """
                    <p>You will no longer receive marketing emails at this address.</p>
                    <p>此地址将不再收到营销邮件。</p>
                    """)
        }
    }

    private func verified(_ context: HeraldRequestContext) throws -> String {
        guard let token = context.parameters.get("token"), let link = signer.verify(token), link.kind == .unsubscribe else {
            throw HeraldError.notFound("unknown link")
        }
        return token
    }

    private func page(title: String, body: String) -> Response {
        let html = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(title)</title></head>
            <body style="font-family:-apple-system,'Segoe UI','PingFang SC',Arial,sans-serif;max-width:560px;margin:48px auto;padding:0 16px;line-height:1.6">
            <h1 style="font-size:22px">\(title)</h1>
            \(body)
            </body></html>
            """
        var headers = HTTPFields()
        headers[.contentType] = "text/html; charset=utf-8"
        headers[.cacheControl] = "no-store"
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: html)))
    }
}
