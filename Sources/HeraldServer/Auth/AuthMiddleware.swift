import Foundation
import HTTPTypes
import HeraldCore
import HeraldStore
import Hummingbird

/// Enforces `Authorization: Bearer hrld_…` with the scope each `/v1/` route needs. Everything else
/// (health, tracking, unsubscribe, provider callbacks) is public or protected by its own signature.
/// Unknown `/v1/` routes need `admin`, so nothing new is ever open by default.
struct AuthMiddleware: RouterMiddleware {
    typealias Context = HeraldRequestContext
    let store: any Store
    let cache = TokenCache()
    let limiter = TokenRateLimiter()

    /// The scope a request needs, or nil for public routes.
    static func requiredScope(method: HTTPRequest.Method, path: String) -> APIScope? {
        guard path.hasPrefix("/v1/") || path == "/v1" else { return nil }
        let parts = path.split(separator: "/")
        switch method {
        case .get, .head:
            return parts.count >= 2 && (parts[1] == "tokens" || parts[1] == "subscriptions") ? .admin : .read
        case .put where parts.count == 3 && parts[1] == "clients":
            return .admin
        case .post:
            if parts.count >= 2 && parts[1] == "messages" {
                if parts.count == 2 || (parts.count == 3 && parts[2] == "batch") { return .send }
                if parts.count == 4 && parts[3] == "cancel" { return .send }
                if parts.count == 4 && parts[3] == "resend" { return .resend }
            }
            if parts.count == 2 && parts[1] == "resend" { return .resend }
            // Reporting a call is the CSM's work, like resending.
            if parts.count == 4 && parts[1] == "tasks" && parts[3] == "complete" { return .resend }
            return .admin
        default:
            return .admin
        }
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        guard let scope = Self.requiredScope(method: request.method, path: request.uri.path) else {
            return try await next(request, context)
        }
        guard let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer ") else {
            throw HeraldError.unauthorized("send an API token: Authorization: Bearer hrld_… (create one with herald token create)")
        }
        let secret = String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces)
        guard TokenSecret.looksValid(secret) else { throw HeraldError.unauthorized("the API token is not valid") }
        let hash = TokenSecret.hash(secret)
        let now = Timestamps.now()
        let token: APIToken
        if let cached = cache.get(hash, now: now) {
            token = cached
        } else {
            guard let stored = try await store.token(hash: hash) else {
                throw HeraldError.unauthorized("the API token is not valid")
            }
            if stored.revokedAt == nil { cache.put(hash, stored, now: now) }
            token = stored
        }
        guard token.revokedAt == nil else { throw HeraldError.unauthorized("the API token was revoked") }
        guard token.allows(scope) else {
            throw HeraldError.forbidden(
                "token '\(token.name)' lacks the '\(scope.rawValue)' scope (it has: \(token.scopes.sorted().map(\.rawValue).joined(separator: ", ")))")
        }
        if let rate = token.rateLimit, !limiter.allow(tokenID: token.id, perSecond: rate, now: now) {
            throw HeraldError(kind: .rateLimited, detail: "token '\(token.name)' is limited to \(rate) requests per second")
        }
        var context = context
        context.token = token
        return try await next(request, context)
    }
}
