import Foundation
import HeraldChannels
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
        router.post("/v1/subscriptions") { request, _ in
            let subscription = try Self.parse(try await RequestBody.json(request, limit: 16 << 10), settings: settings)
            if relay.declared.contains(where: { $0.name == subscription.name }) {
                throw HeraldError.conflict("a subscription named '\(subscription.name)' is declared in herald.toml")
            }
            try await store.createSubscription(subscription)
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
            guard try await store.deleteSubscription(id: subscription.id) else { throw HeraldError.notFound("no such subscription") }
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
            let count = try await store.redriveNotices(subscriptionID: subscription.id, now: Timestamps.now())
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

    /// Reads `{"name", "url", "types"?, "secret"?}`.
    static func parse(_ body: JSONValue, settings: EventSettings) throws -> Subscription {
        var reader = try FieldReader(body: body)
        reader.rejectUnknown(["name", "url", "types", "secret"])
        let name = reader.string("name", maxLength: 64, pattern: MessageRequestParser.isTemplateName)
        if name == nil && reader.problems.allSatisfy({ $0.name != "name" }) { reader.fail("name", "required: a-z, 0-9, '-' and '_'") }
        let url = reader.string("url", maxLength: 2_048)
        if let url {
            if let problem = DestinationRules.urlProblem(url) {
                reader.fail("url", problem)
            } else if !settings.allowPrivateNetworks, Self.namesPrivateHost(url) {
                reader.fail("url", "points at a loopback or private address; set [events] allow_private_networks = true to allow")
            }
        } else if reader.problems.allSatisfy({ $0.name != "url" }) {
            reader.fail("url", "required: where events are posted")
        }
        var topics = Set(EventTopic.allCases)
        switch reader.object["types"] {
        case nil, .null?: break
        case .array(let items)?:
            let parsed = items.compactMap { item -> EventTopic? in
                if case .string(let s) = item { return EventTopic(rawValue: s) }
                return nil
            }
            if parsed.count != items.count || parsed.isEmpty {
                reader.fail("types", "must list event types: " + EventTopic.allCases.map(\.rawValue).joined(separator: ", "))
            }
            topics = Set(parsed)
        default: reader.fail("types", "must be an array of event types")
        }
        let secret = reader.string("secret", maxLength: 200) ?? WebhookSigner.generateSecret()
        if reader.object["secret"] != nil, (try? WebhookSigner(secret: secret)) == nil {
            reader.fail("secret", "must be whsec_ followed by base64 of 16–64 random bytes (or leave it out to get one)")
        }
        try reader.check()
        return Subscription(
            id: HeraldID.make(.subscription), name: name ?? "", url: url ?? "", topics: topics, secret: secret, source: .api,
            allowPrivateNetworks: settings.allowPrivateNetworks, createdAt: Timestamps.now())
    }

    /// Whether the URL's host is `localhost` or a loopback/private IP literal (names that resolve
    /// to one are refused when connecting).
    static func namesPrivateHost(_ url: String) -> Bool {
        guard let host = URLComponents(string: url)?.host?.lowercased() else { return false }
        let bare = host.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        if bare == "localhost" || bare.hasSuffix(".localhost") { return true }
        if bare.contains(":") || bare.allSatisfy({ $0.isNumber || $0 == "." }) { return !AddressPolicy.isPublic(bare) }
        return false
    }
}
