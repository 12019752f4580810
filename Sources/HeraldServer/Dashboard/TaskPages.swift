import HeraldCore
import HeraldDispatch
import HeraldStore
import Hummingbird

/// "My calls" (`/dashboard/tasks?status=open|done`), one call's page (`/dashboard/tasks/{id}`, the
/// link in call notices: it works whichever page of the list the call is on, and survives signing
/// in, which a `#fragment` does not) and the outcome form's POST (`/dashboard/tasks/{id}/complete`),
/// which goes through the same `PhoneDesk` as the API.
struct TaskPages: Sendable {
    let store: any Store
    let runtime: Runtime
    let views: DashboardViews

    /// Calls per page; "More calls" continues after the last one shown.
    static let pageSize = 50

    func register(on group: RouterGroup<HeraldRequestContext>) {
        group.get("tasks") { request, context in
            let visit = try DashboardRoutes.visit(context)
            let q = request.uri.queryParameters
            let open = q.get("status") != "done"
            let now = Timestamps.now()
            // The CSM's own calls; a token without a CSM (an admin) sees everybody's. One more than a
            // page is read to know whether there is a next one.
            let after = q.get("after").flatMap { HeraldID.isValid($0, kind: .task) ? $0 : nil }
            var query = TaskQuery(assignee: visit.csm, clientID: nil, cursor: after, limit: Self.pageSize + 1)
            query.status = open ? .open : .done
            query.newestFirst = !open  // open: oldest (most urgent) first; done: the latest outcomes
            var tasks = try await store.tasks(matching: query)
            var nextURL: String? = nil
            if tasks.count > Self.pageSize {
                tasks.removeLast(tasks.count - Self.pageSize)
                if let last = tasks.last { nextURL = "/dashboard/tasks?status=\(open ? "open" : "done")&after=\(last.id)" }
            }
            let rows = tasks.map { Self.card($0, visit: visit, now: now) }
            let notice = Self.doneNotice(request, visit: visit)
            var values: [String: Any] = ["tasks": rows, "is_open": open]
            if let nextURL { values["next_url"] = nextURL }
            return views.page("tasks", title: visit.text("my_tasks"), visit: visit, nav: "tasks", values: values, notice: notice)
        }
        group.get("tasks/:id") { request, context in
            let visit = try DashboardRoutes.visit(context)
            let id = context.parameters.get("id") ?? ""
            // Any CSM may open any call (as on a client's page); the card says whose it is.
            guard HeraldID.isValid(id, kind: .task), let task = try await store.task(id: id) else {
                throw HeraldError.notFound("no call with id \(id)")
            }
            var card = Self.card(task, visit: visit, now: Timestamps.now())
            card["expanded"] = true
            // The other calls about the same message: what the first call found out, before a follow-up.
            var others: [[String: Any]] = []
            if let clientID = task.clientID {
                var query = TaskQuery(clientID: clientID, limit: 50)
                query.messageIDs = [task.messageID]
                others = try await store.tasks(matching: query).filter { $0.id != task.id }.sorted { $0.attempt < $1.attempt }
                    .map { Self.line($0, visit: visit) }
            }
            return views.page(
                "task", title: visit.text("call") + ": " + (task.clientName ?? task.clientID ?? task.phone), visit: visit,
                nav: "tasks", values: ["task": card, "others": others, "has_others": !others.isEmpty],
                notice: Self.doneNotice(request, visit: visit))
        }
        group.post("tasks/:id/complete") { _, context in
            let visit = try DashboardRoutes.visit(context)
            let id = context.parameters.get("id") ?? ""
            guard let outcome = visit.form.text("outcome").flatMap(PhoneTask.Outcome.init(rawValue:)) else {
                throw HeraldError.invalid(field: "outcome", "choose one of: \(PhoneTask.Outcome.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            let note = visit.form.text("note").map { String($0.prefix(2_000)) }
            let (_, followUp) = try await runtime.current.desk.complete(
                taskID: id, outcome: outcome, note: note, actor: visit.actor, now: Timestamps.now())
            // Back to where the form was: the call's own page, or the list.
            let back = visit.form.text("from") == "task" ? "/dashboard/tasks/\(id)?done=1" : "/dashboard/tasks?done=\(id)"
            return DashboardMiddleware.redirect(back + (followUp != nil ? "&follow_up=1" : ""))
        }
    }

    /// "Outcome recorded." (and "A follow-up call was scheduled.") after the outcome form's redirect.
    static func doneNotice(_ request: Request, visit: DashboardVisit) -> String? {
        let q = request.uri.queryParameters
        guard q.get("done") != nil else { return nil }
        return visit.text("task_done") + (q.get("follow_up") != nil ? " " + visit.text("follow_up_made") : "")
    }

    /// A call's card values for ``TaskCardView``. The assignee is named when the call is not the
    /// visitor's own (an admin's view, or a colleague's call opened from a client's page).
    static func card(_ task: PhoneTask, visit: DashboardVisit, now: Int64) -> [String: Any] {
        var row: [String: Any] = [
            "id": task.id, "client": task.clientName ?? task.clientID ?? "-", "phone": task.phone,
            "reason": task.reason, "talking_points": task.talkingPoints, "open": task.status == .open,
            "cancelled": task.status == .cancelled, "overdue": task.status == .open && task.dueAt < now,
            "outcomes": PhoneTask.Outcome.allCases.map { ["task": task.id, "value": $0.rawValue, "label": visit.text("outcome_\($0.rawValue)")] },
        ]
        if let contact = task.contactName { row["contact"] = contact }
        if let clientID = task.clientID { row["client_id"] = clientID }
        if let due = DashboardViews.time(task.dueAt) { row["due"] = due }
        if let outcome = task.outcome { row["outcome"] = visit.text("outcome_\(outcome.rawValue)") }
        if let note = task.note { row["note"] = note }
        if let completed = DashboardViews.time(task.completedAt) { row["completed"] = completed }
        if task.attempt > 1 { row["attempt_label"] = DashboardStrings.format(visit.text("attempt_n"), task.attempt) }
        if let assignee = task.assignee, assignee.lowercased() != visit.csm?.lowercased() {
            row["assignee"] = task.assigneeName.map { "\($0) (\(assignee))" } ?? assignee
        }
        return row
    }

    /// One line of "other calls about this message": which call, its state, outcome and note.
    static func line(_ task: PhoneTask, visit: DashboardVisit) -> [String: Any] {
        var line: [String: Any] = [
            "id": task.id, "attempt_label": DashboardStrings.format(visit.text("attempt_n"), task.attempt),
            "status": visit.text(task.status.rawValue),
        ]
        if let outcome = task.outcome { line["outcome"] = visit.text("outcome_\(outcome.rawValue)") }
        if let note = task.note { line["note"] = note }
        if let completed = DashboardViews.time(task.completedAt) { line["completed"] = completed }
        return line
    }
}
