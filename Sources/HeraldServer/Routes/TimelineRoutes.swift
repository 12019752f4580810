import HeraldCore
import HeraldDispatch
import HeraldStore
import Hummingbird

/// `GET /v1/clients/{id}/timeline?limit=&cursor=`: what a CSM reads about one client, newest first —
/// each message with its deliveries, events (sends, opens, clicks, resends, escalations) and the
/// call tasks it made.
struct TimelineRoutes: Sendable {
    let store: any Store
    /// Where a task's `dashboard_url` points.
    let links: DashboardLinks

    func register(on router: Router<HeraldRequestContext>) {
        router.get("/v1/clients/:id/timeline") { request, context in
            let id = context.parameters.get("id") ?? ""
            let q = request.uri.queryParameters
            for (key, _) in q where !["limit", "cursor"].contains(String(key)) {
                throw HeraldError.invalid(field: String(key), "unknown query parameter")
            }
            var query = MessageQuery(clientID: id, limit: 20)
            if let text = q.get("limit") {
                guard let n = Int(text), (1...100).contains(n) else { throw HeraldError.invalid(field: "limit", "must be an integer from 1 to 100") }
                query.limit = n
            }
            if let cursor = q.get("cursor") {
                guard HeraldID.isValid(cursor, kind: .message) else { throw HeraldError.invalid(field: "cursor", "is not a cursor this API returned") }
                query.cursor = cursor
            }
            guard let client = try await store.client(id: id) else { throw HeraldError.notFound("no client with id \(id)") }
            let now = Timestamps.now()
            let page = try await store.messages(matching: query)
            let details = try await store.messages(ids: page.items.map(\.0.id))
            // The call tasks of this page's messages only (a client can have thousands over the years).
            var tasksByMessage: [String: [PhoneTask]] = [:]
            var taskQuery = TaskQuery(clientID: id, limit: 500)
            taskQuery.messageIDs = details.map(\.message.id)
            while !taskQuery.messageIDs.isEmpty {
                let tasks = try await store.tasks(matching: taskQuery)
                for task in tasks { tasksByMessage[task.messageID, default: []].append(task) }
                guard tasks.count == taskQuery.limit, let last = tasks.last else { break }
                taskQuery.cursor = last.id
            }
            var items: [JSONValue] = []
            for detail in details {
                let message = detail.message
                var fields = RecordJSON.messageFields(detail.message)
                fields["deliveries"] = .array(detail.deliveries.map { d in
                    RecordJSON.delivery(d, attempts: detail.attempts.filter { $0.deliveryID == d.id })
                })
                fields["events"] = .array(detail.events.map(RecordJSON.event))
                fields["tasks"] = .array((tasksByMessage[message.id] ?? []).map { TaskJSON.task($0, now: now, links: links) })
                fields["opened"] = .bool(detail.deliveries.contains { $0.state == .opened || $0.state == .clicked })
                fields["clicked"] = .bool(detail.deliveries.contains { $0.state == .clicked })
                items.append(.object(fields))
            }
            return JSONResponse.make(.object([
                "client": .object([
                    "id": .string(client.id), "name": .string(client.name), "tier": .string(client.tier),
                    "csm": RecordJSON.optional(client.csm?.name),
                ]),
                "items": .array(items), "next_cursor": page.nextCursor.map(JSONValue.string) ?? .null,
            ]))
        }
    }
}
