import HeraldCore
import HeraldStore
import Logging

/// Writes down when a token was last used, off the request path and at most about once per
/// ``APIToken/usageResolution`` per token: it runs only when a token is read from the store
/// (a cache miss, once a second at most per token) and its stored last use is a minute old.
enum TokenUsage {
    static func note(_ token: APIToken, at now: Int64, store: any TokenStore, logger: Logger) {
        guard token.usageIsStale(at: now) else { return }
        Task {
            do {
                try await store.recordTokenUse(id: token.id, at: now)
            } catch {
                logger.debug("could not record a token's use", metadata: ["token": "\(token.name)", "error": "\(error)"])
            }
        }
    }
}
