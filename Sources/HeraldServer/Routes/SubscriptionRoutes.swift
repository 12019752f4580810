import HeraldCore
import HeraldDispatch
import HeraldStore
import Hummingbird

/// `/v1/subscriptions` (scope `admin`): register, list, inspect and delete event subscriptions;
/// list a subscription's dead letters and redrive them.
struct SubscriptionRoutes: Sendable {
    let store: any Store
    let relay: EventRelay
    let settings: EventSettings

    func register(on router: Router<HeraldRequestContext>) {
        router.get("/v1/subscriptions") { _, _ in
            let counts = try await store.noticeCounts()
            let all = relay.declared + (try await store.subscriptions())
            return JSONResponse.make(.object([
                "items": .array(all.map { SubscriptionJSON.subscription($0, counts: counts[$0.id] ?? NoticeCounts()) }),
            ]))
        }
        router.post("/v1/subscriptions") { request, context in
            let subscription = try SubscriptionJSON.request(try await RequestBody.json(request, limit: 16 << 10), settings: settings)
            if relay.declared.contains(where: { $0.name == subscription.name }) {
                throw HeraldError.conflict("a subscription named '\(subscription.name)' is declared in herald.toml")
            }
            try await relay.secrets.create(subscription, actor: context.actor)
            relay.poke()
            return JSONResponse.make(SubscriptionJSON.subscription(subscription, counts: nil, secret: true), status: .created)
        }
        router.get("/v1/subscriptions/:id") { _, context in
            let subscription = try await find(context)
            let counts = try await store.noticeCounts()[subscription.id] ?? NoticeCounts()
            return JSONResponse.make(SubscriptionJSON.subscription(subscription, counts: counts))
        }
        router.delete("/v1/subscriptions/:id") { _, context in
            let subscription = try await find(context)
            guard subscription.source == .api else {
                throw HeraldError.conflict("'\(subscription.name)' is declared in herald.toml; remove it there and reload")
            }
            guard try await store.deleteSubscription(subscription, actor: context.actor, now: Timestamps.now()) else {
                throw HeraldError.notFound("no such subscription")
            }
            return Response(status: .noContent)
        }
        router.get("/v1/subscriptions/:id/dead-letters") { request, context in
            let subscription = try await find(context)
            var limit = 100
            if let text = request.uri.queryParameters.get("limit") {
                guard let n = Int(text), (1...1_000).contains(n) else {
                    throw HeraldError.invalid(field: "limit", "must be an integer from 1 to 1000")
                }
                limit = n
            }
            let dead = try await store.notices(subscriptionID: subscription.id, state: .dead, limit: limit)
            return JSONResponse.make(.object(["items": .array(dead.map(SubscriptionJSON.notice))]))
        }
        router.post("/v1/subscriptions/:id/redrive") { _, context in
            let subscription = try await find(context)
            let count = try await store.redriveNotices(of: subscription, actor: context.actor, now: Timestamps.now())
            relay.poke()
            return JSONResponse.make(.object(["redriven": .int(Int64(count))]))
        }
    }

    private func find(_ context: HeraldRequestContext) async throws -> Subscription {
        let id = context.parameters.get("id") ?? ""
        if let declared = relay.declared.first(where: { $0.id == id || $0.name == id }) { return declared }
        guard let found = try await store.subscriptions().first(where: { $0.id == id || $0.name == id }) else {
            throw HeraldError.notFound("no subscription with id or name \(id)")
        }
        return found
    }
}
