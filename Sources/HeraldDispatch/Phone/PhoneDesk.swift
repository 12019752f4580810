import Foundation
import HeraldCore
import HeraldStore
import Logging

/// Turns `phone` deliveries into call tasks for the client's CSM and settles them: opens a task
/// (due inside business hours of the client's time zone, talking points from the message's phone
/// template) and tells the CSM; applies the outcome the CSM reports; escalates overdue tasks.
/// Used by the dispatcher (open, sweep) and by the API and CLI (complete).
public struct PhoneDesk: Sendable {
    /// Settings per phone channel name.
    public let channels: [String: PhoneSettings]
    let store: any Store
    let renderer: MessageRenderer
    let notices: TaskNotices
    let logger: Logger

    public init(config: HeraldConfig, store: any Store, renderer: MessageRenderer, logger: Logger) {
        var channels: [String: PhoneSettings] = [:]
        for channel in config.channels where channel.kind == .phone { channels[channel.name] = channel.phone ?? PhoneSettings() }
        self.channels = channels
        self.store = store
        self.renderer = renderer
        notices = TaskNotices(config: config, renderer: renderer)
        self.logger = logger
    }

    /// Opens one task per claimed delivery of phone channel `channel`.
    func open(_ claimed: [ClaimedDelivery], channel: String, now: Int64) async throws {
        let settings = channels[channel] ?? PhoneSettings()
        var clients: [String: Client?] = [:]
        var openings: [TaskOpening] = []
        for item in claimed {
            var client: Client? = nil
            if let id = item.message.clientID {
                if let known = clients[id] { client = known } else {
                    client = try await store.client(id: id)
                    clients[id] = client
                }
            }
            let zone = timezone(client, settings)
            let task = makeTask(item, client: client, settings: settings, timezone: zone, now: now)
            let (planned, skipped) = notices.forCSM(task, client: client, settings: settings, timezone: zone, now: now)
            for reason in skipped {
                logger.warning("a CSM is not told about a task", metadata: ["task": "\(task.id)", "reason": "\(reason)"])
            }
            openings.append(TaskOpening(task: task, notices: planned))
        }
        let opened = try await store.openTasks(openings, now: now)
        for opening in openings where opened.contains(opening.task.id) {
            logger.info("task opened", metadata: [
                "task": "\(opening.task.id)", "delivery": "\(opening.task.deliveryID)",
                "assignee": "\(opening.task.assignee ?? "unassigned")", "due": "\(Timestamps.format(opening.task.dueAt))",
            ])
        }
    }

    func makeTask(_ item: ClaimedDelivery, client: Client?, settings: PhoneSettings, timezone: TimeZone, now: Int64) -> PhoneTask {
        let message = item.message
        var reason = message.subject ?? message.template.map { "About \($0)" } ?? "Call the client"
        var points = message.text ?? ""
        do {
            let content = try renderer.render(message, channel: .phone)
            reason = content.subject ?? reason
            points = content.text ?? points
        } catch {
            // An escalation or fallback to phone is not checked at enqueue: the call still happens.
            points = "No phone talking points: \(error.detail)"
            logger.warning("phone template does not render", metadata: ["delivery": "\(item.delivery.id)", "error": "\(error.detail)"])
        }
        let contact = client?.contacts.first { $0.phone == item.delivery.destination }
        return PhoneTask(
            id: HeraldID.make(.task), deliveryID: item.delivery.id, messageID: message.id, channel: item.delivery.channel,
            clientID: client?.id ?? message.clientID, clientName: client?.name, assignee: client?.csm.map { $0.email ?? $0.name },
            assigneeName: client?.csm?.name, contactName: contact?.name, phone: item.delivery.destination,
            reason: reason, talkingPoints: points,
            dueAt: settings.businessHours.add(settings.dueWithin, to: now, timezone: timezone), attempt: 1, createdAt: now)
    }

    /// Tells managers about open tasks past their due time plus `overdue_after`; each task once.
    /// Returns how many were escalated.
    func sweepOverdue(now: Int64) async throws -> Int {
        var escalated = 0
        for (name, settings) in channels.sorted(by: { $0.key < $1.key }) where settings.manager != nil {
            var query = TaskQuery(status: .open, dueBefore: now - settings.overdueAfter, limit: 200)
            query.notEscalated = true
            for task in try await store.tasks(matching: query) where task.channel == name {
                let client = try await task.clientID.asyncMap { try await store.client(id: $0) } ?? nil
                let zone = timezone(client, settings)
                let (planned, skipped) = notices.forManager(task, settings: settings, timezone: zone, now: now)
                for reason in skipped {
                    logger.warning("the manager is not told about an overdue task", metadata: ["task": "\(task.id)", "reason": "\(reason)"])
                }
                if try await store.escalateTask(id: task.id, notices: planned, now: now) {
                    escalated += 1
                    logger.notice("task overdue: manager told", metadata: ["task": "\(task.id)", "assignee": "\(task.assignee ?? "unassigned")"])
                }
            }
        }
        return escalated
    }

    /// Applies a CSM's report of a call. Throws `notFound`, `conflict` (already done) or `invalid`.
    public func complete(taskID: String, outcome: PhoneTask.Outcome, note: String?, actor: String, now: Int64)
        async throws -> (task: PhoneTask, followUp: PhoneTask?)
    {
        guard let task = try await store.task(id: taskID) else { throw HeraldError.notFound("no task with id \(taskID)") }
        let settings = channels[task.channel] ?? PhoneSettings()
        let spoken = note.map { " (\($0))" } ?? ""
        var completion = TaskCompletion(
            taskID: taskID, outcome: outcome, note: note, actor: actor, at: now, deliveryState: nil, detail: "")
        switch outcome {
        case .reached:
            completion.deliveryState = .delivered
            completion.detail = "reached by phone on call \(task.attempt)\(spoken)"
        case .voicemail:
            completion.deliveryState = .delivered
            completion.detail = "voicemail left on call \(task.attempt)\(spoken)"
        case .wrongNumber:
            completion.deliveryState = .failed
            completion.detail = "wrong number \(task.phone): the number is suppressed for calls and SMS"
            completion.flagNumber = true
        case .noAnswer:
            if task.attempt < settings.maxAttempts {
                let client = try await task.clientID.asyncMap { try await store.client(id: $0) } ?? nil
                let zone = timezone(client, settings)
                var next = task
                next.id = HeraldID.make(.task)
                next.attempt = task.attempt + 1
                next.createdAt = now
                next.dueAt = settings.businessHours.add(0, to: now + settings.followUpAfter, timezone: zone)
                next.escalatedAt = nil
                completion.followUp = next
                completion.notices = notices.forCSM(next, client: client, settings: settings, timezone: zone, now: now).notices
                completion.detail = "no answer on call \(task.attempt) of \(settings.maxAttempts); calling again"
            } else {
                completion.deliveryState = .failed
                completion.detail = "no answer after \(task.attempt) calls"
            }
        }
        let done = try await store.completeTask(completion)
        logger.info("task completed", metadata: [
            "task": "\(taskID)", "outcome": "\(outcome.rawValue)", "actor": "\(actor)",
            "follow_up": "\(completion.followUp?.id ?? "none")",
        ])
        return (done, completion.followUp)
    }

    /// Hands clients to another CSM (``Handover``, ``Store/handOver(_:notices:actor:now:)``): the
    /// new CSM is told of each open task they take over, as of a new one, and gets one email
    /// (`csm-handover`) listing what they took over, with the handover's note.
    public func handOver(_ handover: Handover, actor: String, now: Int64) async throws -> HandoverResult {
        let desk = self
        let notices = HandoverNotices(
            task: { task, client in
                let settings = desk.channels[task.channel] ?? PhoneSettings()
                return desk.notices.forCSM(
                    task, client: client, settings: settings, timezone: desk.timezone(client, settings), now: now,
                    key: "task:\(task.id):handover:\(now)"
                ).notices
            },
            summary: { result in
                // The old CSM's name as the clients' records had it (the first one's).
                desk.notices.forHandover(handover, result, fromName: result.formerName ?? handover.from, now: now)
            })
        let result = try await store.handOver(handover, notices: notices, actor: actor, now: now)
        if !handover.dryRun {
            logger.info("clients handed over", metadata: [
                "from": "\(handover.from)", "to": "\(handover.to.email ?? "")", "clients": "\(result.clients.count)",
                "tasks": "\(result.tasks.count)", "messages": "\(result.messages)", "actor": "\(actor)",
            ])
            let named = result.clients.prefix(10).map(\.id).joined(separator: ", ") + (result.clients.count > 10 ? ", …" : "")
            var detail = "to \(handover.to.email ?? "?"): \(AuditEntry.count(result.clients.count, "client")) (\(named)), "
                + "\(AuditEntry.count(result.tasks.count, "open call")), \(AuditEntry.count(result.messages, "waiting message"))"
            if let note = handover.note, !note.isEmpty { detail += "; note: \(DisplayText.line(note))" }
            await store.audit(.make(.clientsHandedOver, subject: handover.from, detail: detail, actor: actor, at: now))
        }
        return result
    }

    func timezone(_ client: Client?, _ settings: PhoneSettings) -> TimeZone {
        client?.timezone.flatMap(TimeZone.init(identifier:)) ?? .named(settings.defaultTimezone)
    }
}
