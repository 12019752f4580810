import Foundation
import HTTPTypes
import HeraldCore
import Hummingbird
import Mustache

/// The dashboard's Mustache templates (compiled into the binary: nothing to lose when the binary
/// is installed alone) and the one way pages are rendered: page content inside the layout, with
/// the visit's language, CSRF token and navigation.
struct DashboardViews: Sendable {
    static let templates: [String: String] = [
        "layout": LayoutView.template, "sign-in": SignInView.template, "error": ErrorView.template,
        "clients": ClientsView.template, "client": ClientView.template, "resend": ResendView.template,
        "bulk-resend": BulkResendView.template, "tasks": TasksView.template, "task": TaskView.template,
        "task-card": TaskCardView.template, "stats": StatsView.template,
    ]

    private let library: MustacheLibrary

    init() throws(HeraldError) {
        var library = MustacheLibrary()
        for (name, text) in Self.templates {
            do { try library.register(text, named: name) } catch {
                throw .internal("dashboard template '\(name)' does not parse: \(error)")
            }
        }
        self.library = library
    }

    /// A page: `values` rendered by template `page`, inside the layout. `nav` marks the current
    /// navigation entry (`clients`, `tasks`, `resend`, `stats`).
    func page(
        _ page: String, title: String, visit: DashboardVisit, nav: String? = nil, values: [String: Any] = [:],
        status: HTTPResponse.Status = .ok, notice: String? = nil
    ) -> Response {
        let html = render(page, title: title, visit: visit, nav: nav, values: values, notice: notice)
        return Response(
            status: status, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    /// The HTML of a page (``page(_:title:visit:nav:values:status:notice:)`` without the response).
    func render(_ page: String, title: String, visit: DashboardVisit, nav: String? = nil, values: [String: Any] = [:], notice: String? = nil)
        -> String
    {
        var context = values
        context["t"] = visit.strings
        context["csrf"] = visit.csrf
        context["lang"] = visit.language.rawValue
        let content = library.render(context, withTemplate: page) ?? ""
        var layout: [String: Any] = [
            "t": visit.strings, "csrf": visit.csrf, "lang": visit.language.rawValue, "title": title, "content": content,
            "signed_in": visit.token != nil, "me": visit.token.map { $0.csm ?? $0.name } ?? "",
            "other_lang": visit.language.other.rawValue, "other_lang_name": visit.language.other.nativeName,
            "switch_url": Self.switchURL(visit),
        ]
        if let nav { layout["nav_\(nav)"] = true }
        if let token = visit.token, let warning = Self.expiryWarning(token, visit: visit, now: Timestamps.now()) {
            layout["expiry_warning"] = warning
        }
        if let notice { layout["notice"] = notice }
        if let calls = visit.calls, let label = Self.callsLabel(open: calls.open, overdue: calls.overdue, visit: visit) {
            layout["calls_label"] = label
        }
        return library.render(layout, withTemplate: "layout") ?? ""
    }

    /// "3 open · 1 overdue" beside "My calls"; nil without open calls. Counts past
    /// ``DashboardMiddleware/callsCounted`` read "99+".
    static func callsLabel(open: Int, overdue: Int, visit: DashboardVisit) -> String? {
        guard open > 0 else { return nil }
        func count(_ n: Int) -> String { n > DashboardMiddleware.callsCounted ? "\(DashboardMiddleware.callsCounted)+" : String(n) }
        var label = visit.text("calls_open").replacingOccurrences(of: "%s", with: count(open))
        if overdue > 0 { label += " · " + visit.text("calls_overdue").replacingOccurrences(of: "%s", with: count(overdue)) }
        return label
    }

    /// How long before its expiry a CSM's token is announced on every page.
    static let expiryNotice: Int64 = 7 * 86_400_000

    /// "Your sign-in token expires on …" when the visitor's token ends within ``expiryNotice``.
    static func expiryWarning(_ token: APIToken, visit: DashboardVisit, now: Int64) -> String? {
        guard let expiresAt = token.expiresAt, expiresAt - now <= expiryNotice else { return nil }
        return withTime(visit.text("token_expires_soon"), expiresAt)
    }

    /// `text` with its `%s` replaced by ``shortTime(_:)`` of `millis`.
    static func withTime(_ text: String, _ millis: Int64) -> String {
        text.replacingOccurrences(of: "%s", with: shortTime(millis))
    }

    /// `2026-12-10 14:00 UTC`: a time a person reads, in the one zone every reader shares.
    static func shortTime(_ millis: Int64) -> String {
        let text = Timestamps.format(millis, fractionalSeconds: false)   // 2026-12-10T14:00:00Z
        return String(text.prefix(10)) + " " + String(text.dropFirst(11).prefix(5)) + " UTC"
    }

    /// A refused or failed request as a page with the error's status.
    func error(_ error: HeraldError, visit: DashboardVisit) -> Response {
        let heading = error.kind == .notFound ? visit.text("not_found") : visit.text("error_title")
        return page(
            "error", title: heading, visit: visit,
            values: [
                "heading": heading, "detail": error.detail, "has_fields": !error.fields.isEmpty,
                "fields": error.fields.map { ["name": $0.name, "reason": $0.reason] },
            ],
            status: HTTPResponse.Status(code: error.httpStatus))
    }

    /// The same page in the other language.
    static func switchURL(_ visit: DashboardVisit) -> String {
        var components = URLComponents()
        components.path = visit.path
        components.queryItems = visit.query.map { URLQueryItem(name: $0.0, value: $0.1) }
            + [URLQueryItem(name: "lang", value: visit.language.other.rawValue)]
        return components.string ?? "?lang=\(visit.language.other.rawValue)"
    }

    /// A time as the dashboard shows it: `2026-11-23 14:05 UTC`, with its ISO form for `<time>`.
    static func time(_ millis: Int64?) -> [String: String]? {
        guard let millis else { return nil }
        let iso = Timestamps.format(millis, fractionalSeconds: false)
        let text = iso.prefix(16).replacingOccurrences(of: "T", with: " ") + " UTC"
        return ["iso": iso, "text": text]
    }
}
