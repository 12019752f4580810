import HTTPTypes
import HeraldCore
import HeraldDispatch
import HeraldStore
import Hummingbird

/// `/v1/messages`: enqueue (single and batch), read, list and cancel.
struct MessageRoutes: Sendable {
    let store: any Store
    let parser: MessageRequestParser
    let wakeup: Signal

    func register(on router: Router<HeraldRequestContext>) {
        router.post("/v1/messages") { request, context in try await enqueue(request, context: context) }
        router.post("/v1/messages/batch") { request, context in try await enqueueBatch(request, context: context) }
        router.get("/v1/messages") { request, _ in try await list(request) }
        router.get("/v1/messages/:id") { _, context in try await show(context) }
        router.post("/v1/messages/:id/cancel") { _, context in try await cancel(context) }
    }

    func enqueue(_ request: Request, context: HeraldRequestContext) async throws -> Response {
        let json = try await RequestBody.json(request, limit: parser.limits.maximumBodyBytes)
        let now = Timestamps.now()
        let header = request.headers[.idempotencyKey]
        let message = try parser.parse(json, idempotencyKeyHeader: header, now: now)
        let planned = PlannedMessage(request: message, now: now, actor: context.actor)
        let results = try await store.enqueue([planned])
        guard let result = results.first else { throw HeraldError.internal("the store returned no result") }
        switch result {
        case .created(let m, let deliveries):
            wakeup.raise()
            return JSONResponse.make(RecordJSON.accepted(m, deliveries), status: .accepted)
        case .duplicate(let m, let deliveries):
            var headers = HTTPFields()
            headers[.idempotentReplayed] = "true"
            return JSONResponse.make(RecordJSON.accepted(m, deliveries), status: .accepted, headers: headers)
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
        var outcomes: [Result<PlannedMessage, HeraldError>] = []
        for (index, item) in items.enumerated() {
            do {
                let parsed = try parser.parse(item, path: "messages[\(index)].", now: now)
                outcomes.append(.success(PlannedMessage(request: parsed, now: now, actor: context.actor)))
            } catch {
                outcomes.append(.failure(error))
            }
        }
        let planned = outcomes.compactMap { try? $0.get() }
        let stored = try await store.enqueue(planned)
        var storedIterator = stored.makeIterator()
        var results: [JSONValue] = []
        var accepted = 0
        for (index, outcome) in outcomes.enumerated() {
            switch outcome {
            case .failure(let error):
                results.append(.object([
                    "index": .int(Int64(index)), "status": .int(Int64(error.httpStatus)),
                    "error": .object([
                        "detail": .string(error.detail),
                        "invalid_params": .array(error.fields.map {
                            .object(["name": .string($0.name), "reason": .string($0.reason)])
                        }),
                    ]),
                ]))
            case .success:
                switch storedIterator.next() {
                case .created(let m, let deliveries)?, .duplicate(let m, let deliveries)?:
                    accepted += 1
                    var fields: [String: JSONValue] = ["index": .int(Int64(index)), "status": .int(202)]
                    if case .object(let body) = RecordJSON.accepted(m, deliveries) { fields.merge(body) { a, _ in a } }
                    results.append(.object(fields))
                case .conflict(let existing)?:
                    results.append(.object([
                        "index": .int(Int64(index)), "status": .int(409),
                        "error": .object(["detail": .string("idempotency key already used for \(existing) with a different request")]),
                    ]))
                case nil:
                    throw HeraldError.internal("the store returned fewer results than messages")
                }
            }
        }
        if accepted > 0 { wakeup.raise() }
        let body: JSONValue = .object([
            "accepted": .int(Int64(accepted)), "rejected": .int(Int64(items.count - accepted)), "results": .array(results),
        ])
        return JSONResponse.make(body, status: accepted == items.count ? .accepted : HTTPResponse.Status(code: 207))
    }

    func show(_ context: HeraldRequestContext) async throws -> Response {
        let id = try messageID(context)
        guard let detail = try await store.message(id: id) else { throw HeraldError.notFound("no message with id \(id)") }
        return JSONResponse.make(RecordJSON.detail(detail))
    }

    func list(_ request: Request) async throws -> Response {
        let query = try MessageListQuery.parse(request.uri.queryParameters)
        let page = try await store.messages(matching: query)
        return JSONResponse.make(.object([
            "items": .array(page.items.map { RecordJSON.listItem($0.message, $0.deliveries) }),
            "next_cursor": page.nextCursor.map(JSONValue.string) ?? .null,
        ]))
    }

    func cancel(_ context: HeraldRequestContext) async throws -> Response {
        let id = try messageID(context)
        let result = try await store.cancel(messageID: id, actor: context.actor, now: Timestamps.now())
        return JSONResponse.make(.object([
            "cancelled": .array(result.cancelled.map(JSONValue.string)), "message": RecordJSON.detail(result.detail),
        ]))
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
