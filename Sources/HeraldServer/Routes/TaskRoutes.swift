import HeraldCore
import HeraldDispatch
import HeraldStore
import Hummingbird

/// `GET /v1/tasks?assignee=&status=&client_id=&overdue=&cursor=&limit=`, `GET /v1/tasks/{id}`,
/// `POST /v1/tasks/{id}/complete`.
struct TaskRoutes: Sendable {
    let store: any Store
    let runtime: Runtime

    /// Where a task's `dashboard_url` points, under the running configuration's `public_url`.
    var links: DashboardLinks { DashboardLinks(publicURL: runtime.current.config.server.publicURL) }

    func register(on router: Router<HeraldRequestContext>) {
        router.get("/v1/tasks") { request, _ in
            let now = Timestamps.now()
            var query = try Self.query(request.uri.queryParameters, now: now)
            let limit = query.limit
            query.limit += 1  // one more than the page tells whether another page exists
            let found = try await store.tasks(matching: query)
            let tasks = found.prefix(limit)
            return JSONResponse.make(.object([
                "items": .array(tasks.map { TaskJSON.task($0, now: now, links: links) }),
                "next_cursor": found.count > limit ? tasks.last.map { .string($0.id) } ?? .null : .null,
            ]))
        }
        router.get("/v1/tasks/:id") { _, context in
            let id = context.parameters.get("id") ?? ""
            guard let task = try await store.task(id: id) else { throw HeraldError.notFound("no task with id \(id)") }
            return JSONResponse.make(TaskJSON.task(task, now: Timestamps.now(), links: links))
        }
        router.post("/v1/tasks/:id/complete") { request, context in
            let id = context.parameters.get("id") ?? ""
            let (outcome, note) = try TaskJSON.completion(try await RequestBody.json(request, limit: 16 << 10))
            let now = Timestamps.now()
            let (task, followUp) = try await runtime.current.desk.complete(taskID: id, outcome: outcome, note: note, actor: context.actor, now: now)
            return JSONResponse.make(.object([
                "task": TaskJSON.task(task, now: now, links: links), "follow_up": followUp.map { TaskJSON.task($0, now: now, links: links) } ?? .null,
            ]))
        }
    }

    static func query(_ q: Parameters, now: Int64) throws -> TaskQuery {
        var problems: [HeraldError.FieldProblem] = []
        for (key, _) in q where !["assignee", "status", "client_id", "overdue", "cursor", "limit"].contains(String(key)) {
            problems.append(.init(name: String(key), reason: "unknown query parameter"))
        }
        var query = TaskQuery(assignee: q.get("assignee"), clientID: q.get("client_id"))
        if let status = q.get("status") {
            if status == "all" {
                query.status = nil
            } else if let value = PhoneTask.Status(rawValue: status) {
                query.status = value
            } else {
                problems.append(.init(name: "status", reason: "must be open, done, cancelled or all"))
            }
        } else {
            query.status = .open
        }
        switch q.get("overdue") {
        case nil, "false": break
        case "true": query.dueBefore = now
        default: problems.append(.init(name: "overdue", reason: "must be true or false"))
        }
        if let cursor = q.get("cursor") {
            if HeraldID.isValid(cursor, kind: .task) { query.cursor = cursor } else {
                problems.append(.init(name: "cursor", reason: "is not a cursor this API returned"))
            }
        }
        if let limit = q.get("limit") {
            if let n = Int(limit), (1...500).contains(n) { query.limit = n } else {
                problems.append(.init(name: "limit", reason: "must be an integer from 1 to 500"))
            }
        }
        if !problems.isEmpty { throw HeraldError.invalid(problems) }
        return query
    }
}
