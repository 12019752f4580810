import HeraldCore
import HeraldStore
import Testing

@Suite struct StoreTaskTests {
    /// Enqueues a phone delivery (with an email fallback) and claims it, as the dispatcher does.
    static func claimedCall(_ store: any Store, now: Int64) async throws -> ClaimedDelivery {
        var request = MessageRequest(
            clientID: "acme", text: "talk", destinations: [
                .init(channel: "phone", address: "+8613800138000", fallback: [.init(channel: "email", destination: "li@acme.example")])
            ])
        request.subject = "Welcome call"
        _ = try await store.enqueue([PlannedMessage(request: request, now: now, actor: "test")])
        return try #require(try await store.claim(channel: "phone", limit: 1, now: now, leaseUntil: now + 60_000, owner: "w").first)
    }

    static func task(for claimed: ClaimedDelivery, attempt: Int = 1, now: Int64) -> PhoneTask {
        PhoneTask(
            id: HeraldID.make(.task), deliveryID: claimed.delivery.id, messageID: claimed.message.id, channel: "phone",
            clientID: "acme", clientName: "Acme", assignee: "Wang@CS.example", assigneeName: "Wang", contactName: "Li",
            phone: claimed.delivery.destination, reason: "Welcome call", talkingPoints: "1. hello", dueAt: now + 3_600_000,
            attempt: attempt, createdAt: now)
    }

    /// A claimed call with its task opened (no notices).
    static func openedCall(_ store: any Store, now: Int64) async throws -> (ClaimedDelivery, PhoneTask) {
        let claimed = try await claimedCall(store, now: now)
        let task = task(for: claimed, now: now)
        try await store.openTasks([TaskOpening(task: task, notices: [])], now: now)
        return (claimed, task)
    }

    static func notice(for task: PhoneTask, now: Int64) -> PlannedMessage {
        PlannedMessage(
            request: MessageRequest(
                idempotencyKey: "task:\(task.id):notify", text: "call", destinations: [.init(channel: "email", address: "wang@cs.example")]),
            now: now, actor: "dispatcher")
    }

    @Test(arguments: StoreBackend.allCases)
    func theOpenCallTaskOfAnExpiredMessageIsClosed(backend: StoreBackend) async throws {
        // "Your renewal offer ends Friday": past Friday the CSM must not call about it.
        let (store, cleanup) = try await backend.make()
        defer { cleanup() }
        let now = Timestamps.now()
        _ = try await store.enqueue([Fixtures.planned(to: [("phone", "+8613800138000")], expiresAt: now + 1_000, now: now)])
        let claimed = try #require(try await store.claim(channel: "phone", limit: 1, now: now, leaseUntil: now + 60_000, owner: "w").first)
        let task = Self.task(for: claimed, now: now)
        try await store.openTasks([TaskOpening(task: task, notices: [])], now: now)
        let (_, lasting) = try await Self.openedCall(store, now: now)   // (no expiry)

        #expect(try await store.closeTasksOfExpiredMessages(now: now + 999, limit: 10).isEmpty)
        #expect(try await store.closeTasksOfExpiredMessages(now: now + 1_000, limit: 10) == [task.id])
        let closed = try #require(try await store.task(id: task.id))
        #expect(closed.status == .cancelled && closed.note == StoreText.taskExpired(taskID: task.id) && closed.completedBy == "dispatcher")
        #expect(try await store.message(id: claimed.message.id)?.events.contains {
            $0.type == "task_cancelled" && $0.detail == StoreText.taskExpired(taskID: task.id)
        } == true)
        #expect(try await store.task(id: lasting.id)?.status == .open)
        #expect(try await store.closeTasksOfExpiredMessages(now: now + 2_000, limit: 10).isEmpty)
    }

    @Test(arguments: StoreBackend.allCases)
    func aCallClaimedJustBeforeACancelOpensNoTask(backend: StoreBackend) async throws {
        // The dispatcher has claimed the call (a cancel cannot stop a delivery in flight) when the
        // sender cancels the message; the task it was about to open must not be opened afterwards.
        let (store, cleanup) = try await backend.make()
        defer { cleanup() }
        let now = Timestamps.now()
        var request = MessageRequest(
            clientID: "acme", text: "talk",
            destinations: [.init(channel: "phone", address: "+8613800138000"), .init(channel: "email", address: "li@acme.example")])
        request.subject = "Renewal call"
        _ = try await store.enqueue([PlannedMessage(request: request, now: now, actor: "test")])
        let claimed = try #require(try await store.claim(channel: "phone", limit: 1, now: now, leaseUntil: now + 60_000, owner: "w").first)
        let result = try await store.cancel(messageID: claimed.message.id, actor: "token:crm", now: now + 10)
        #expect(result.cancelled.count == 1 && result.tasksCancelled.isEmpty)   // (the email; the call was in flight)

        let task = Self.task(for: claimed, now: now + 20)
        let opened = try await store.openTasks([TaskOpening(task: task, notices: [Self.notice(for: task, now: now + 20)])], now: now + 20)
        #expect(opened.isEmpty)
        #expect(try await store.task(id: task.id) == nil)
        let detail = try #require(try await store.message(id: claimed.message.id))
        #expect(detail.deliveries.map(\.state) == [.cancelled, .cancelled])
        #expect(detail.events.contains {
            $0.type == "cancelled" && $0.deliveryID == claimed.delivery.id && $0.detail == StoreText.callCancelledInFlight
        })
        // No CSM is told about a call that will not happen.
        #expect(try await store.claim(channel: "email", limit: 10, now: now + 30, leaseUntil: now + 60_000, owner: "w").isEmpty)

        // A call claimed with no cancel behind it still opens its task.
        let (other, otherTask) = try await Self.openedCall(store, now: now + 40)
        #expect(try await store.task(id: otherTask.id)?.status == .open)
        #expect(try await store.message(id: other.message.id)?.deliveries.first?.state == .sent)
    }

    @Test(arguments: StoreBackend.allCases)
    func cancellingTheMessageClosesItsOpenCallTask(backend: StoreBackend) async throws {
        // The client renewed; the sender cancels the renewal reminder: the CSM must not call about it.
        let (store, cleanup) = try await backend.make()
        defer { cleanup() }
        let now = Timestamps.now()
        let (claimed, task) = try await Self.openedCall(store, now: now)
        let result = try await store.cancel(messageID: claimed.message.id, actor: "token:crm", now: now + 10)
        #expect(result.cancelled.isEmpty && result.tasksCancelled == [task.id])
        let closed = try #require(try await store.task(id: task.id))
        #expect(closed.status == .cancelled && closed.completedBy == "token:crm" && closed.completedAt == now + 10)
        #expect(closed.outcome == nil && !closed.isOverdue(now: now + 86_400_000, grace: 0))
        #expect(try await store.tasks(matching: TaskQuery(assignee: "wang@cs.example", status: .open)).isEmpty)
        #expect(try await store.tasks(matching: TaskQuery(assignee: "wang@cs.example", status: .cancelled)).map(\.id) == [task.id])
        #expect(try await store.tasks(matching: TaskQuery(dueBefore: now + 86_400_000)).isEmpty)  // no overdue escalation
        #expect(result.detail.events.contains { $0.type == "task_cancelled" && $0.deliveryID == claimed.delivery.id })
        // The call was never made: completing it now is refused, naming why.
        await #expect {
            _ = try await store.completeTask(TaskCompletion(
                taskID: task.id, outcome: .reached, note: nil, actor: "token:wang", at: now + 20, deliveryState: .delivered, detail: "reached"))
        } throws: { ($0 as? HeraldError)?.kind == .conflict && "\($0)".contains("cancelled") }
        await #expect {
            _ = try await store.cancel(messageID: claimed.message.id, actor: "token:crm", now: now + 30)
        } throws: { ($0 as? HeraldError)?.kind == .conflict }
    }

    @Test(arguments: StoreBackend.allCases)
    func openingATaskSendsTheDeliveryAndEnqueuesTheNoticeOnce(backend: StoreBackend) async throws {
        let (store, cleanup) = try await backend.make()
        defer { cleanup() }
        let now = Timestamps.now()
        let claimed = try await Self.claimedCall(store, now: now)
        let task = Self.task(for: claimed, now: now)
        try await store.openTasks([TaskOpening(task: task, notices: [Self.notice(for: task, now: now)])], now: now)
        // A second claim after a lost lease must not open a second task or notify twice.
        var again = task
        again.id = HeraldID.make(.task)
        try await store.openTasks([TaskOpening(task: again, notices: [Self.notice(for: again, now: now)])], now: now)

        let detail = try #require(try await store.message(id: claimed.message.id))
        #expect(detail.deliveries[0].state == .sent)
        #expect(detail.deliveries[0].providerID == task.id)
        #expect(detail.events.filter { $0.type == "task_created" }.count == 1)
        let open = try await store.tasks(matching: TaskQuery(assignee: "wang@cs.example", status: .open))
        #expect(open.map(\.id) == [task.id])
        #expect(open[0].assignee == "wang@cs.example")
        let notices = try await store.messages(matching: MessageQuery(channel: "email"))
        #expect(notices.items.count == 1)
        #expect(try await store.tasks(matching: TaskQuery(assignee: "unassigned")).isEmpty)
    }

    @Test(arguments: StoreBackend.allCases)
    func reachedDeliversAndASecondCompletionConflicts(backend: StoreBackend) async throws {
        let (store, cleanup) = try await backend.make()
        defer { cleanup() }
        let now = Timestamps.now()
        let (claimed, task) = try await Self.openedCall(store, now: now)
        let done = try await store.completeTask(TaskCompletion(
            taskID: task.id, outcome: .reached, note: "agreed kickoff", actor: "wang", at: now + 5, deliveryState: .delivered,
            detail: "reached"))
        #expect(done.status == .done && done.outcome == .reached && done.completedBy == "wang")
        let detail = try #require(try await store.message(id: claimed.message.id))
        #expect(detail.deliveries.map(\.state) == [.delivered])
        #expect(detail.events.suffix(2).map(\.type) == ["task_completed", "delivered"])
        await #expect(throws: HeraldError.self) {
            _ = try await store.completeTask(TaskCompletion(
                taskID: task.id, outcome: .noAnswer, note: nil, actor: "x", at: now + 6, deliveryState: nil, detail: ""))
        }
        await #expect(throws: HeraldError.self) {
            _ = try await store.completeTask(TaskCompletion(
                taskID: "tsk_nope", outcome: .reached, note: nil, actor: "x", at: now, deliveryState: .delivered, detail: ""))
        }
    }

    @Test(arguments: StoreBackend.allCases)
    func wrongNumberFailsFallsBackAndSuppressesTheNumber(backend: StoreBackend) async throws {
        let (store, cleanup) = try await backend.make()
        defer { cleanup() }
        let now = Timestamps.now()
        let (claimed, task) = try await Self.openedCall(store, now: now)
        _ = try await store.completeTask(TaskCompletion(
            taskID: task.id, outcome: .wrongNumber, note: nil, actor: "wang", at: now + 5, deliveryState: .failed,
            detail: "wrong number", flagNumber: true))
        let detail = try #require(try await store.message(id: claimed.message.id))
        #expect(detail.deliveries.map(\.state) == [.failed, .queued])
        #expect(detail.deliveries[1].channel == "email")
        // The number is suppressed now: a new SMS to it is recorded as suppressed.
        let later = try await store.enqueue([Fixtures.planned(to: [("sms", "+8613800138000")], now: now + 10)])
        let (_, deliveries) = try #require(Fixtures.created(later.first))
        #expect(deliveries[0].state == .suppressed)
        #expect(deliveries[0].lastError?.contains("wrong number") == true)
    }

    @Test(arguments: StoreBackend.allCases)
    func noAnswerOpensTheFollowUpAndEscalationHappensOnce(backend: StoreBackend) async throws {
        let (store, cleanup) = try await backend.make()
        defer { cleanup() }
        let now = Timestamps.now()
        let (claimed, task) = try await Self.openedCall(store, now: now)
        var next = Self.task(for: claimed, attempt: 2, now: now + 5)
        next.dueAt = now + 86_400_000
        _ = try await store.completeTask(TaskCompletion(
            taskID: task.id, outcome: .noAnswer, note: nil, actor: "wang", at: now + 5, deliveryState: nil, detail: "no answer",
            followUp: next, notices: [Self.notice(for: next, now: now + 5)]))
        let open = try await store.tasks(matching: TaskQuery(status: .open))
        #expect(open.map(\.attempt) == [2])
        #expect(try #require(try await store.message(id: claimed.message.id)).deliveries[0].state == .sent)
        #expect(try await store.messages(matching: MessageQuery(channel: "email")).items.count == 1)

        // Overdue: due before the given instant and not yet escalated; escalation happens once.
        var query = TaskQuery(status: .open, dueBefore: now + 86_400_001)
        query.notEscalated = true
        #expect(try await store.tasks(matching: query).map(\.id) == [next.id])
        #expect(try await store.tasks(matching: TaskQuery(dueBefore: now + 1_000)).isEmpty)
        #expect(try await store.escalateTask(id: next.id, notices: [], now: now + 86_400_002))
        #expect(try await store.escalateTask(id: next.id, notices: [], now: now + 86_400_003) == false)
        #expect(try await store.tasks(matching: query).isEmpty)
        #expect(try await store.task(id: next.id)?.escalatedAt == now + 86_400_002)

        // Newest first, paged towards older tasks (the dashboard's latest outcomes).
        var latest = TaskQuery(limit: 1)
        latest.newestFirst = true
        let first = try await store.tasks(matching: latest)
        #expect(first.map(\.id) == [next.id])
        latest.cursor = first.last?.id
        #expect(try await store.tasks(matching: latest).map(\.id) == [task.id])
        #expect(try await store.tasks(matching: TaskQuery(limit: 5)).map(\.id) == [task.id, next.id])
    }
}
