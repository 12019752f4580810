import HTTPTypes
import HeraldCore
import HeraldDispatch
import HeraldStore
import Hummingbird

/// `PUT/GET/DELETE /v1/clients/{id}`, `GET /v1/clients?tier=&csm=&stage=&cursor=&limit=&order=`,
/// `POST /v1/clients/handover`.
struct ClientRoutes: Sendable {
    let store: any Store
    let runtime: Runtime
    let cache: ClientCache

    func register(on router: Router<HeraldRequestContext>) {
        router.put("/v1/clients/:id") { request, context in
            let id = context.parameters.get("id") ?? ""
            let json = try await RequestBody.json(request, limit: 256 << 10)
            let now = Timestamps.now()
            let config = runtime.current.config
            let parsed = try ClientJSON.parse(json, id: id, tiers: config.tiers, channels: config.channelKinds, now: now)
            let (client, created, _) = try await store.saveClient(parsed, actor: context.actor)
            cache.invalidate(id)
            return JSONResponse.make(ClientJSON.client(client), status: created ? .created : .ok)
        }
        // A CSM's clients to another CSM, with their open call tasks and waiting messages (Handover).
        router.post("/v1/clients/handover") { request, context in
            let handover = try Handover.parse(try await RequestBody.json(request, limit: 1 << 20))
            let now = Timestamps.now()
            let result = try await runtime.current.desk.handOver(handover, actor: context.actor, now: now)
            if !handover.dryRun { for client in result.clients { cache.invalidate(client.id) } }
            let tokens = HandoverJSON.scoped(to: handover.from, try await store.tokens(), now: now)
            return JSONResponse.make(HandoverJSON.result(
                handover, result, tokens: tokens, now: now, links: DashboardLinks(publicURL: runtime.current.config.server.publicURL)))
        }
        router.delete("/v1/clients/:id") { _, context in
            let id = context.parameters.get("id") ?? ""
            guard let deletion = try await store.removeClient(id: id, actor: context.actor, now: Timestamps.now()) else {
                throw HeraldError.notFound("no client with id \(id)")
            }
            cache.invalidate(id)
            return JSONResponse.make(RecordJSON.deletion(deletion))
        }
        router.get("/v1/clients/:id") { _, context in
            let id = context.parameters.get("id") ?? ""
            guard let client = try await store.client(id: id) else { throw HeraldError.notFound("no client with id \(id)") }
            return JSONResponse.make(ClientJSON.client(client))
        }
        router.get("/v1/clients") { request, _ in
            let q = request.uri.queryParameters
            for (key, _) in q where !["tier", "csm", "stage", "search", "cursor", "limit", "order"].contains(String(key)) {
                throw HeraldError.invalid(field: String(key), "unknown query parameter")
            }
            var limit = 50
            if let text = q.get("limit") {
                guard let n = Int(text), (1...500).contains(n) else {
                    throw HeraldError.invalid(field: "limit", "must be an integer from 1 to 500")
                }
                limit = n
            }
            let filter = try ClientFilter(tier: q.get("tier"), csm: q.get("csm"), stage: q.get("stage")).searching(q.get("search"))
            switch q.get("order") {
            case nil, "id":
                let clients = try await store.clients(matching: filter, after: q.get("cursor"), limit: limit)
                return JSONResponse.make(.object([
                    "items": .array(clients.map(ClientJSON.client)),
                    "next_cursor": clients.count == limit ? clients.last.map { .string($0.id) } ?? .null : .null,
                ]))
            case "attention":
                return JSONResponse.make(try await byAttention(filter, cursor: q.get("cursor"), limit: limit))
            default:
                throw HeraldError.invalid(field: "order", "must be id or attention")
            }
        }
    }

    /// The matching clients most in need of a CSM first, each with its activity; `cursor` is the
    /// position to continue from.
    private func byAttention(_ filter: ClientFilter, cursor: String?, limit: Int) async throws -> JSONValue {
        var start = 0
        if let text = cursor {
            guard let n = Int(text), n >= 0 else {
                throw HeraldError.invalid(field: "cursor", "with order=attention, the next_cursor of the previous page")
            }
            start = n
        }
        guard let ordered = try await ClientAttention.ordered(
            store, matching: filter, openableChannels: runtime.current.routing.openableChannels)
        else {
            throw HeraldError.invalid(
                field: "order",
                "more than \(ClientAttention.limit) clients match: filter by csm, tier, stage or search to order them by attention")
        }
        start = min(start, ordered.count)  // (a cursor past the end, however large, is an empty last page)
        let shown = try await ClientAttention.clients(store, ordered.dropFirst(start).prefix(limit))
        return .object([
            "items": .array(shown.map { ClientJSON.client($0.client, activity: $0.activity) }),
            "next_cursor": start + limit < ordered.count ? .string(String(start + limit)) : .null,
        ])
    }
}
