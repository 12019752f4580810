import CoreMetrics
import HTTPTypes
import HeraldCore
import HeraldDispatch
import HeraldStore
import Hummingbird

/// `/v1/messages`: enqueue (single and batch), read, list and cancel.
struct MessageRoutes: Sendable {
    let store: any Store
    /// Templates, channels and tiers (replaced by a reload).
    let runtime: Runtime
    let clients: ClientCache
    let wakeup: Signal
    /// Messages stored (duplicates of an idempotency key not counted).
    let enqueued = Counter(label: "herald_messages_enqueued_total")

    var parser: MessageRequestParser { runtime.current.parser }

    func register(on router: Router<HeraldRequestContext>) {
        router.post("/v1/messages") { request, context in try await enqueue(request, context: context) }
        router.post("/v1/messages/batch") { request, context in try await enqueueBatch(request, context: context) }
        router.get("/v1/messages") { request, _ in try await list(request) }
        router.get("/v1/messages/:id") { _, context in try await show(context) }
        router.post("/v1/messages/:id/cancel") { _, context in try await cancel(context) }
    }

    /// Wakes the dispatcher for stored work due before its next regular look (see ``DispatchWake``).
    private func wakeIfDue(_ results: [EnqueueResult], now: Int64) {
        if DispatchWake.needed(for: results, now: now, horizon: runtime.current.config.dispatch.pollInterval) {
            wakeup.raise()
        }
    }

    func enqueue(_ request: Request, context: HeraldRequestContext) async throws -> Response {
        let json = try await RequestBody.json(request, limit: parser.limits.maximumBodyBytes)
        let now = Timestamps.now()
        let header = request.headers[.idempotencyKey]
        let (message, routes) = try await prepare(json, path: "", header: header, now: now)
        if request.uri.queryParameters.get("dry_run") == "true" {
            return JSONResponse.make(try await explain(message, routes: routes, now: now))
        }
        let planned = PlannedMessage(request: message, now: now, actor: context.actor)
        let results = try await store.enqueue([planned])
        guard let result = results.first else { throw HeraldError.internal("the store returned no result") }
        switch result {
        case .created(let m, let deliveries):
            enqueued.increment()
            wakeIfDue(results, now: now)
            return JSONResponse.make(bytes: AcceptedJSON.body(m, deliveries), status: .accepted)
        case .duplicate(let m, let deliveries):
            var headers = HTTPFields()
            headers[.idempotentReplayed] = "true"
            return JSONResponse.make(bytes: AcceptedJSON.body(m, deliveries), status: .accepted, headers: headers)
        case .conflict(let existing):
            throw HeraldError.conflict(
                "idempotency key '\(message.idempotencyKey ?? "")' was already used for \(existing) with a different request")
        }
    }

    func enqueueBatch(_ request: Request, context: HeraldRequestContext) async throws -> Response {
        let json = try await RequestBody.json(request, limit: parser.limits.maximumBatchBodyBytes)
        guard case .object(let object) = json else { throw HeraldError.invalid(field: "(body)", "must be a JSON object") }
        if let unknown = object.keys.sorted().first(where: { $0 != "messages" }) {
            throw HeraldError.invalid(field: unknown, "unknown field")
        }
        guard case .array(let items)? = object["messages"] else {
            throw HeraldError.invalid(field: "messages", "required: an array of messages")
        }
        guard !items.isEmpty else { throw HeraldError.invalid(field: "messages", "must hold at least one message") }
        guard items.count <= parser.limits.maximumBatchSize else {
            throw HeraldError.invalid(field: "messages", "more than \(parser.limits.maximumBatchSize) messages")
        }
        let now = Timestamps.now()
        // Planned messages and rejections kept apart (not as `Result`s): copying 1,000 planned
        // messages out of an array of results retained and released every one of their strings.
        var planned: [PlannedMessage] = []
        planned.reserveCapacity(items.count)
        var rejected: [Int: HeraldError] = [:]
        for (index, item) in items.enumerated() {
            do {
                let (parsed, _) = try await prepare(item, path: "messages[\(index)].", header: nil, now: now)
                planned.append(PlannedMessage(request: parsed, now: now, actor: context.actor))
            } catch let error as HeraldError {
                rejected[index] = error
            }
        }
        let stored = try await store.enqueue(planned)
        guard stored.count == planned.count else { throw HeraldError.internal("the store returned \(stored.count) results for \(planned.count) messages") }
        let accepted = stored.reduce(0) { n, r in if case .conflict = r { n } else { n + 1 } }
        enqueued.increment(by: stored.reduce(0) { n, r in if case .created = r { n + 1 } else { n } })
        var answer = BatchAnswer(accepted: accepted, rejected: items.count - accepted, capacity: items.count)
        var storedIterator = stored.makeIterator()
        for index in items.indices {
            if let error = rejected[index] {
                answer.rejected(index: index, error)
                continue
            }
            switch storedIterator.next() {
            case .created(let m, let deliveries)?, .duplicate(let m, let deliveries)?:
                answer.accepted(m, deliveries, index: index)
            case .conflict(let existing)?:
                answer.conflict(index: index, existingMessageID: existing)
            case nil:
                throw HeraldError.internal("the store returned fewer results than messages")
            }
        }
        wakeIfDue(stored, now: now)
        return JSONResponse.make(bytes: answer.finish(), status: accepted == items.count ? .accepted : HTTPResponse.Status(code: 207))
    }

    func show(_ context: HeraldRequestContext) async throws -> Response {
        let id = try messageID(context)
        guard let detail = try await store.message(id: id) else { throw HeraldError.notFound("no message with id \(id)") }
        return JSONResponse.make(RecordJSON.detail(detail))
    }

    func list(_ request: Request) async throws -> Response {
        let query = try MessageListQuery.parse(request.uri.queryParameters)
        if request.uri.queryParameters.get("format") == "csv" {
            // Every matching message from the cursor on, streamed a page at a time.
            return MessagesCSV.response(store, query, name: "herald-messages", byteOrderMark: false)
        }
        let page = try await store.messages(matching: query)
        return JSONResponse.make(.object([
            "items": .array(page.items.map { RecordJSON.listItem($0.message, $0.deliveries) }),
            "next_cursor": page.nextCursor.map(JSONValue.string) ?? .null,
        ]))
    }

    func cancel(_ context: HeraldRequestContext) async throws -> Response {
        let id = try messageID(context)
        let result = try await store.cancel(messageID: id, actor: context.actor, now: Timestamps.now())
        return JSONResponse.make(RecordJSON.cancel(result))
    }

    /// Parses a message and, when it names a client instead of destinations, routes it by the
    /// client's tier; then checks that it renders on every channel it goes to.
    func prepare(_ json: JSONValue, path: String, header: String?, now: Int64) async throws
        -> (MessageRequest, [RoutingPolicy.Route])
    {
        let snapshot = runtime.current  // one configuration for the whole request
        let parser = snapshot.parser
        let routing = snapshot.routing
        var message = try parser.parse(json, path: path, idempotencyKeyHeader: header, now: now)
        let mentionsClient = message.mentions.contains("csm") || message.mentions.contains("contacts")
        guard let clientID = message.clientID else { return (message, []) }
        guard message.destinations.isEmpty || mentionsClient else {
            // Explicit destinations: the client need not be registered; when it is, its tier is kept
            // on the message for template stats (from the client cache, no database read).
            message.tier = try await clients.client(id: clientID, store: store, now: now)?.tier
            return (message, [])
        }
        guard let client = try await clients.client(id: clientID, store: store, now: now) else {
            throw HeraldError.invalid(field: path + "client_id", "no client '\(clientID)' (register it with PUT /v1/clients/{id})")
        }
        message.tier = client.tier
        message.mentions = Mentions.expand(message.mentions, client: client)
        guard message.destinations.isEmpty else { return (message, []) }
        let routes: [RoutingPolicy.Route]
        do {
            routes = try routing.routes(for: client, override: message.channels, category: message.category)
        } catch {
            throw HeraldError.invalid(error.fields.map { .init(name: path + $0.name, reason: $0.reason) })
        }
        message.destinations = routes.compactMap { route in
            route.address.map {
                .init(
                    channel: route.channel, address: $0, suppressedReason: route.suppressedReason,
                    fallback: routing.keepingQuietHours(route.fallback, for: client, priority: message.priority))
            }
        }
        message.skipped = routes.filter { $0.address == nil }.map { "\($0.channel): \($0.suppressedReason ?? "no address")" }
        guard !message.destinations.isEmpty else {
            throw HeraldError.invalid(field: path + "client_id", "nobody to reach: " + message.skipped.joined(separator: "; "))
        }
        if let mailbox = client.csm?.mailbox { message.replyTo = mailbox }
        if message.locale == nil { message.locale = client.locale }
        message.tracking = routing.tiers[client.tier]?.tracking ?? true
        var held: String? = nil
        if let (release, reason) = routing.hold(for: client, sendAt: message.sendAt, priority: message.priority, now: now) {
            message.sendAt = release
            held = reason
            if let expires = message.expiresAt, expires <= release {
                throw HeraldError.invalid(field: path + "expires_at", "expires before quiet hours end (\(Timestamps.format(release)))")
            }
        }
        let (escalation, problem) = routing.escalation(
            for: client, startsAt: max(message.sendAt ?? now, now), priority: message.priority)
        message.escalation = escalation
        if let problem { message.skipped.append(problem) }
        try parser.checkRendering(message, path: path)
        return (message, held.map { reason in routes.map { var r = $0; r.rule += "; " + reason; return r } } ?? routes)
    }

    /// The `dry_run` answer: what would be created, and which rule made each delivery (a
    /// destination on the suppression list is `suppressed`, with the list's reason, as the enqueue
    /// would record it, and `fallback_starts` says whether its fallback chain would take over).
    func explain(_ message: MessageRequest, routes: [RoutingPolicy.Route], now: Int64) async throws -> JSONValue {
        let state = DeliveryState.onEnqueue(sendAt: message.sendAt, now: now).rawValue
        func starts(_ hit: SuppressionHit?, _ fallback: [FallbackStep]) -> JSONValue {
            .bool(hit?.startsFallback == true && !fallback.isEmpty)
        }
        if routes.isEmpty {
            let listed = try await store.listedHits(message.destinations.map { ($0.channel, $0.address) }, category: message.category)
            return Self.explained(message, deliveries: message.destinations.enumerated().map { i, d in
                .object(["channel": .string(d.channel), "destination": .string(DestinationRules.redacted(d.address)),
                         "status": .string(listed[i] == nil ? state : "suppressed"), "reason": listed[i].map { .string($0.text) } ?? .null,
                         "rule": .string("explicit 'to'"), "fallback_starts": starts(listed[i], d.fallback)])
            })
        }
        let listed = try await store.listedHits(
            routes.map { ($0.channel, $0.suppressedReason == nil ? $0.address ?? "" : "") }, category: message.category)
        return Self.explained(message, deliveries: routes.enumerated().map { i, r in
            let reason = r.suppressedReason ?? listed[i]?.text
            return .object([
                "channel": .string(r.channel), "destination": r.address.map { .string(DestinationRules.redacted($0)) } ?? .null,
                "status": .string(r.address == nil ? "skipped" : reason != nil ? "suppressed" : state),
                "reason": reason.map(JSONValue.string) ?? .null, "rule": .string(r.rule),
                "contact_id": r.contactID.map(JSONValue.string) ?? .null,
                "fallback": .array(r.fallback.map { .string("\($0.channel): \($0.destination)") }),
                "fallback_starts": starts(r.suppressedReason == nil ? listed[i] : nil, r.fallback),
            ])
        })
    }

    private static func explained(_ message: MessageRequest, deliveries planned: [JSONValue]) -> JSONValue {
        let escalation: JSONValue = message.escalation.map { e in
            .object(["channel": .string(e.channel), "destination": .string(e.destination), "at": .string(Timestamps.format(e.dueAt)),
                     "unless": .string(e.unless.rawValue)])
        } ?? .null
        return .object([
            "dry_run": .bool(true), "deliveries": .array(planned), "escalation": escalation,
            "reply_to": message.replyTo.map(JSONValue.string) ?? .null, "locale": message.locale.map(JSONValue.string) ?? .null,
        ])
    }

    private func messageID(_ context: HeraldRequestContext) throws -> String {
        guard let id = context.parameters.get("id"), HeraldID.isValid(id, kind: .message) else {
            throw HeraldError.notFound("no message with that id (ids look like msg_01J…)")
        }
        return id
    }
}

extension HTTPField.Name {
    static let idempotencyKey = Self("Idempotency-Key")!
    static let idempotentReplayed = Self("Idempotent-Replayed")!
}
