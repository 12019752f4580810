import HeraldCore

/// Who is looking at the dashboard and in which language, with the CSRF token their forms carry
/// and, for a POST, the fields they sent. Made by ``DashboardMiddleware`` for every dashboard request.
struct DashboardVisit: Sendable {
    var language: DashboardLanguage
    /// The value of every form's hidden `_csrf` field.
    var csrf: String
    /// The signed-in API token (scope `resend` or `admin`); nil before sign-in.
    var token: APIToken?
    /// The POSTed form (`application/x-www-form-urlencoded`); empty for a GET.
    var form: DashboardForm = DashboardForm()
    /// The path and query of the page (for the language switch).
    var path: String = "/dashboard"
    var query: [(String, String)] = []
    /// The signed-in CSM's open calls (counted up to ``DashboardMiddleware/callsCounted``, then
    /// "more") and how many of those are overdue, beside "My calls"; nil for an admin or a POST.
    var calls: (open: Int, overdue: Int)? = nil

    var strings: [String: String] { language.strings }

    /// Recorded on resends and task outcomes as who did it.
    var actor: String { "dashboard:\(token?.name ?? "anonymous")" }

    /// The CSM the signed-in token belongs to (their email), the dashboard's "me".
    var csm: String? { token?.csm }

    /// A text in the visit's language (the key itself when missing; a unit test checks none is).
    func text(_ key: String) -> String { strings[key] ?? key }
}
