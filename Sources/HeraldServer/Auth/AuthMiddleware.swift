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
        // The enqueue routes, most of all requests, without splitting the path (~1 % of an enqueue).
        if method == .post && (path == "/v1/messages" || path == "/v1/messages/batch") { return .send }
        let parts = path.split(separator: "/")
        switch method {
        case .get, .head:
            return parts.count >= 2 && (parts[1] == "tokens" || parts[1] == "subscriptions" || parts[1] == "audit") ? .admin : .read
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

    /// The credentials of `Bearer <secret>` (scheme case-insensitive, spaces and tabs around the
    /// secret ignored), or nil for any other scheme. Byte by byte: Foundation's trimming was 3 % of
    /// an enqueue's CPU.
    static func bearerSecret(_ header: String) -> String? {
        var header = header
        return header.withUTF8 { bytes -> String? in
            guard bytes.count > 7, bytes[6] == 0x20,
                zip(bytes[0..<6], "bearer".utf8).allSatisfy({ $0 | 0x20 == $1 })
            else { return nil }
            var start = 7
            var end = bytes.count
            while start < end, bytes[start] == 0x20 || bytes[start] == 0x09 { start += 1 }
            while end > start, bytes[end - 1] == 0x20 || bytes[end - 1] == 0x09 { end -= 1 }
            return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
        }
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        guard let scope = Self.requiredScope(method: request.method, path: request.uri.path) else {
            return try await next(request, context)
        }
        guard let header = request.headers[.authorization], let secret = Self.bearerSecret(header) else {
            throw HeraldError.unauthorized("send an API token: Authorization: Bearer hrld_… (create one with herald token create)")
        }
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
            if stored.isActive(at: now) {
                cache.put(hash, stored, now: now)
                TokenUsage.note(stored, at: now, store: store, logger: context.logger)
            }
            token = stored
        }
        switch token.status(at: now) {
        case .active: break
        case .revoked: throw HeraldError.unauthorized("the API token was revoked")
        case .expired:
            throw HeraldError.unauthorized(
                "the API token '\(token.name)' expired at \(Timestamps.format(token.expiresAt ?? now)) (create a new one with herald token create)")
        }
        guard token.allows(scope, at: now) else {
            throw HeraldError.forbidden(
                "token '\(token.name)' lacks the '\(scope.rawValue)' scope (it has: \(token.scopes.sorted().map(\.rawValue).joined(separator: ", ")))")
        }
        if let rate = token.rateLimit, !limiter.allow(tokenID: token.lineage, perSecond: rate, now: now) {
            throw HeraldError(kind: .rateLimited, detail: "token '\(token.name)' is limited to \(rate) requests per second")
        }
        var context = context
        context.token = token
        return try await next(request, context)
    }
}
