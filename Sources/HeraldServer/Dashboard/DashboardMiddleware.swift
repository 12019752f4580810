import Foundation
import HTTPTypes
import HeraldChannels
import HeraldCore
import HeraldStore
import Hummingbird
import Logging

/// In front of every `/dashboard/…` page: picks the language, keeps the CSRF cookie, restores the
/// session, refuses any POST whose `_csrf` field does not match, sends visitors who are not signed
/// in to the sign-in page, renders errors as pages (not problem+json) and adds the security headers.
struct DashboardMiddleware: RouterMiddleware {
    typealias Context = HeraldRequestContext
    let store: any Store
    let keys: DashboardKeys
    let views: DashboardViews
    /// Mark cookies `Secure` (the public URL is https).
    let secureCookies: Bool
    let cache = TokenCache()

    static let sessionCookie = "herald_session"
    static let csrfCookie = "herald_csrf"
    static let languageCookie = "herald_lang"
    /// How long a sign-in lasts.
    static let sessionSeconds = 12 * 3_600
    static let signInPath = "/dashboard/sign-in"
    /// Open calls counted for the navigation; beyond it shows as "99+".
    static let callsCounted = 99

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var setCookies: [Cookie] = []
        let query = request.uri.queryParameters
        var language: DashboardLanguage
        if let chosen = query.get("lang").flatMap(DashboardLanguage.init(rawValue:)) {
            language = chosen
            setCookies.append(cookie(Self.languageCookie, chosen.rawValue, maxAge: 365 * 86_400))
        } else if let saved = request.cookies[Self.languageCookie].flatMap({ DashboardLanguage(rawValue: $0.value) }) {
            language = saved
        } else {
            language = DashboardLanguage.negotiate(request.headers[.acceptLanguage])
        }
        var nonce = request.cookies[Self.csrfCookie]?.value ?? ""
        let hadNonce = (16...64).contains(nonce.utf8.count)
        if !hadNonce {
            nonce = DashboardKeys.nonce()
            setCookies.append(cookie(Self.csrfCookie, nonce, maxAge: nil))
        }
        var visit = DashboardVisit(language: language, csrf: keys.csrfToken(nonce: nonce))
        visit.path = request.uri.path
        visit.query = query.map { (String($0.key), String($0.value)) }.filter { $0.0 != "lang" }
        if let value = request.cookies[Self.sessionCookie]?.value {
            visit.token = try await signedIn(value, logger: context.logger)
        }

        var response: Response
        do {
            var request = request
            if request.method == .post {
                let body = try await request.collectBody(upTo: 64 << 10)
                visit.form = DashboardForm(urlEncoded: String(buffer: body))
                guard hadNonce, keys.checkCSRF(visit.form["_csrf"] ?? "", nonce: nonce) else {
                    throw HeraldError.forbidden(visit.text("csrf_refused"))
                }
            }
            if visit.token == nil && request.uri.path != Self.signInPath {
                // A link from an email (a digest's client, a call's page) comes back to its page after sign-in.
                let target = request.uri.path + (request.uri.query.map { "?" + $0 } ?? "")
                let wanted = request.method == .get ? Self.returnTarget(target) : nil
                response = Self.redirect(Self.signInPath + (wanted.map { "?next=" + FormEncoding.percent($0) } ?? ""))
            } else {
                if request.method == .get, let csm = visit.csm {
                    // One indexed read (tasks_assignee); a failure leaves the count out, not the page.
                    let open = try? await store.tasks(matching: TaskQuery(assignee: csm, status: .open, limit: Self.callsCounted + 1))
                    let now = Timestamps.now()
                    visit.calls = open.map { ($0.count, $0.filter { $0.dueAt < now }.count) }
                }
                var context = context
                context.dashboard = visit
                context.token = visit.token
                response = try await next(request, context)
            }
        } catch let error as HeraldError {
            response = views.error(error, visit: visit)
        } catch let error as HTTPError {
            let kind: HeraldError.Kind = error.status.code == 413 ? .payloadTooLarge : error.status.code == 404 ? .notFound : .invalidInput
            response = views.error(HeraldError(kind: kind, detail: error.body ?? error.status.reasonPhrase), visit: visit)
        }
        for cookie in setCookies { response.setCookie(cookie) }
        response.headers[.contentSecurityPolicy] =
            "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[.referrerPolicy] = "same-origin"
        response.headers[.cacheControl] = "no-store"
        return response
    }

    /// The token of a valid session cookie: signed by us, not expired, the token still active and
    /// allowed to resend. Nil otherwise (the visitor signs in again).
    func signedIn(_ value: String, logger: Logger) async throws -> APIToken? {
        guard let payload = keys.verify(value) else { return nil }
        let parts = payload.split(separator: "|")
        guard parts.count == 2, let expires = Int64(parts[1]), expires * 1_000 > Timestamps.now() else { return nil }
        let hash = String(parts[0])
        let now = Timestamps.now()
        var token = cache.get(hash, now: now)
        if token == nil {
            token = try await store.token(hash: hash)
            if let token, token.isActive(at: now) {
                cache.put(hash, token, now: now)
                TokenUsage.note(token, at: now, store: store, logger: logger)
            }
        }
        guard let token, token.allows(.resend, at: now) else { return nil }
        return token
    }

    /// The session cookie for a token (by its secret's hash), valid for ``sessionSeconds``.
    func sessionCookie(hash: String, now: Int64) -> Cookie {
        cookie(Self.sessionCookie, keys.sign("\(hash)|\(now / 1_000 + Int64(Self.sessionSeconds))"), maxAge: Self.sessionSeconds)
    }

    /// A cookie limited to the dashboard: HttpOnly, SameSite=Strict, Secure behind https.
    func cookie(_ name: String, _ value: String, maxAge: Int?) -> Cookie {
        Cookie(name: name, value: value, maxAge: maxAge, path: "/dashboard", secure: secureCookies, httpOnly: true, sameSite: .strict)
    }

    static func redirect(_ location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location])
    }

    /// Where sign-in may send the browser back to: a dashboard page of this server, given as a
    /// path (never a URL of another site: no open redirect), and not the default one or sign-in
    /// itself. Nil for anything else.
    static func returnTarget(_ target: String?) -> String? {
        guard let target, target.utf8.count <= 2_000, target.hasPrefix("/dashboard/"), target != "/dashboard/clients",
              !target.hasPrefix(signInPath), !target.contains("\\"),
              !target.unicodeScalars.contains(where: { $0.value < 0x21 || $0.value == 0x7F })
        else { return nil }
        return target
    }
}

extension HTTPField.Name {
    static let referrerPolicy = Self("Referrer-Policy")!
}
