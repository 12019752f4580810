import HeraldCore
import Hummingbird

/// Hummingbird's request context plus who is calling: the API token's name once authenticated.
public struct HeraldRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The authenticated token, when the route needed one.
    public var token: APIToken?
    /// The dashboard visitor (language, CSRF token, form), on `/dashboard/…` pages.
    var dashboard: DashboardVisit?

    public init(source: Source) {
        coreContext = .init(source: source)
    }

    /// Written on events as who did it: the token's name.
    public var actor: String { token.map { "token:\($0.name)" } ?? "api" }
}
