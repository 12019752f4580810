import HeraldCore
import HeraldDispatch
import HeraldStore
import Hummingbird
import Logging

/// The CSM dashboard under `/dashboard`: server-rendered pages on the same store and runtime as
/// the API. Sign-in takes an API token with scope `resend`; the session is a signed cookie
/// (HttpOnly, SameSite=Strict) and every form carries a CSRF token (``DashboardMiddleware``).
struct DashboardRoutes: Sendable {
    let store: any Store
    let runtime: Runtime
    let wakeup: Signal
    let keys: DashboardKeys
    let views: DashboardViews
    let secureCookies: Bool

    func register(on router: Router<HeraldRequestContext>) {
        router.get("/dashboard") { _, _ in DashboardMiddleware.redirect("/dashboard/clients") }
        let middleware = DashboardMiddleware(store: store, keys: keys, views: views, secureCookies: secureCookies)
        let group = router.group("/dashboard").add(middleware: middleware)
        group.get("sign-in") { request, context in
            let visit = try Self.visit(context)
            let next = DashboardMiddleware.returnTarget(request.uri.queryParameters.get("next").map { String($0) })
            if visit.token != nil { return DashboardMiddleware.redirect(next ?? "/dashboard/clients") }
            return views.page("sign-in", title: visit.text("sign_in"), visit: visit, values: next.map { ["next": $0] } ?? [:])
        }
        group.post("sign-in") { _, context in
            let visit = try Self.visit(context)
            let secret = visit.form.text("token") ?? ""
            let next = DashboardMiddleware.returnTarget(visit.form.text("next"))
            let nextValue: [String: Any] = next.map { ["next": $0] } ?? [:]
            let hash = TokenSecret.hash(secret)
            var token: APIToken? = nil
            if TokenSecret.looksValid(secret) { token = try await store.token(hash: hash) }
            let now = Timestamps.now()
            guard let token, token.allows(.resend, at: now) else {
                // An expired token is named as such: its owner needs a new one, not a retry.
                if let token, token.status(at: now) == .expired, let expiresAt = token.expiresAt {
                    let expired = DashboardViews.withTime(visit.text("sign_in_expired"), expiresAt)
                    return views.page(
                        "sign-in", title: visit.text("sign_in"), visit: visit, values: nextValue.merging(["expired": expired]) { $1 },
                        status: .unauthorized)
                }
                return views.page(
                    "sign-in", title: visit.text("sign_in"), visit: visit, values: nextValue.merging(["failed": true]) { $1 }, status: .unauthorized)
            }
            var response = DashboardMiddleware.redirect(next ?? "/dashboard/clients")
            response.setCookie(middleware.sessionCookie(hash: hash, now: Timestamps.now()))
            // A new CSRF nonce with the new session: a token planted before sign-in is worthless after it.
            response.setCookie(middleware.cookie(DashboardMiddleware.csrfCookie, DashboardKeys.nonce(), maxAge: nil))
            context.logger.info("dashboard sign-in", metadata: ["token": "\(token.name)"])
            return response
        }
        group.post("sign-out") { _, _ in
            var response = DashboardMiddleware.redirect(DashboardMiddleware.signInPath)
            response.setCookie(middleware.cookie(DashboardMiddleware.sessionCookie, "", maxAge: 0))
            response.setCookie(middleware.cookie(DashboardMiddleware.csrfCookie, "", maxAge: 0))
            return response
        }
        ClientPages(store: store, runtime: runtime, views: views).register(on: group)
        ResendPages(store: store, runtime: runtime, wakeup: wakeup, views: views).register(on: group)
        TaskPages(store: store, runtime: runtime, views: views).register(on: group)
        StatsPage(store: store, runtime: runtime, views: views).register(on: group)
        // Any other dashboard address is a page saying so (signed in or not), not problem+json.
        group.get("**") { _, _ -> Response in throw HeraldError.notFound("there is no such page") }
    }

    /// The visit the middleware attached (always there behind it).
    static func visit(_ context: HeraldRequestContext) throws -> DashboardVisit {
        guard let visit = context.dashboard else { throw HeraldError.internal("dashboard route without its middleware") }
        return visit
    }
}
