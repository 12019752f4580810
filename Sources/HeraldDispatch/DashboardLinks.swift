import HeraldChannels

/// Links to the dashboard's pages for the emails Herald writes to CSMs (a digest's clients, a call
/// to make), under `[server] public_url`. A signed-out CSM who follows one signs in and comes back
/// to the page. The API and the CLI give a call's page as its `dashboard_url`.
public struct DashboardLinks: Sendable {
    /// `<public_url>/dashboard`.
    public let base: String

    public init(publicURL: String) {
        base = publicURL + "/dashboard"
    }

    /// The clients of `csm`, most in need of attention first.
    public func clients(csm: String) -> String {
        base + "/clients?csm=" + FormEncoding.percent(csm)
    }

    /// The client's page: their messages (where one is resent) and calls.
    public func client(_ id: String) -> String {
        base + "/clients/" + FormEncoding.percent(id)
    }

    /// The page of the call `id` (where its outcome is recorded).
    public func task(_ id: String) -> String {
        base + "/tasks/" + FormEncoding.percent(id)
    }
}
