import Foundation
import HeraldCore

/// The messages that tell people about tasks: the CSM about a new call to make (`csm-task`), the
/// manager about an overdue one (`task-overdue`). They are ordinary messages (rendered from
/// templates, delivered, retried and tracked like any other) without a client id, so they never
/// count as messages to the client.
struct TaskNotices: Sendable {
    let kinds: [String: ChannelKind]
    let renderer: MessageRenderer
    let links: DashboardLinks

    init(config: HeraldConfig, renderer: MessageRenderer) {
        kinds = config.channelKinds
        self.renderer = renderer
        links = DashboardLinks(publicURL: config.server.publicURL)
    }

    /// What the templates get.
    func data(_ task: PhoneTask, timezone: TimeZone, now: Int64) -> JSONValue {
        var fields: [String: JSONValue] = [
            "task_id": .string(task.id), "message_id": .string(task.messageID), "reason": .string(task.reason),
            "talking_points": .string(task.talkingPoints), "phone": .string(task.phone),
            "contact_name": .string(task.contactName ?? task.phone), "attempt": .int(Int64(task.attempt)),
            "follow_up": .bool(task.attempt > 1), "due": .string(Self.localTime(task.dueAt, timezone: timezone)),
            "timezone": .string(timezone.identifier), "csm_name": .string(task.assigneeName ?? task.assignee ?? ""),
            "client_name": .string(task.clientName ?? task.clientID ?? ""), "client_id": .string(task.clientID ?? ""),
            "task_url": .string(links.task(task.id)), "client_url": .string(task.clientID.map(links.client) ?? links.base),
        ]
        let late = max(now - task.dueAt, 0) / 60_000
        fields["overdue_by"] = .string(late >= 60 ? "\(late / 60)h \(late % 60)m" : "\(late)m")
        return .object(fields)
    }

    /// `2026-11-24 10:00 (Asia/Shanghai)`: how a CSM reads a due time.
    static func localTime(_ millis: Int64, timezone: TimeZone) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timezone
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: Date(timeIntervalSince1970: Double(millis) / 1000))
        return String(format: "%04d-%02d-%02d %02d:%02d", c.year ?? 0, c.month ?? 0, c.day ?? 0, c.hour ?? 0, c.minute ?? 0)
            + " (\(timezone.identifier))"
    }

    /// The notices of a new task to its CSM on each `notify` channel that can reach them. Destinations
    /// whose template does not render are left out (and named in `skipped`).
    /// `key` is the notices' idempotency key (a task is told about once per key).
    func forCSM(
        _ task: PhoneTask, client: Client?, settings: PhoneSettings, timezone: TimeZone, now: Int64, key: String? = nil
    ) -> (notices: [PlannedMessage], skipped: [String]) {
        guard let csm = client?.csm else { return ([], task.assignee == nil ? [] : ["the client has no CSM on file"]) }
        var destinations: [MessageRequest.Destination] = []
        var skipped: [String] = []
        for name in settings.notify {
            switch kinds[name] {
            case .email?:
                if let email = csm.email { destinations.append(.init(channel: name, address: email)) } else {
                    skipped.append("\(name): the CSM has no email")
                }
            case let kind? where kind.isBot:
                if let robot = settings.robots[name] { destinations.append(.init(channel: name, address: robot)) }
            default:
                skipped.append("\(name): not an email or robot channel")
            }
        }
        var request = MessageRequest(
            idempotencyKey: key ?? "task:\(task.id):notify", template: "csm-task", data: data(task, timezone: timezone, now: now),
            destinations: destinations, locale: settings.locale ?? client?.locale, priority: .high)
        request.mentions = Mentions.expand(["csm"], client: client)
        return plan(&request, skipped: skipped, now: now)
    }

    /// The notice of an overdue task to the manager, or nothing when no manager is configured.
    func forManager(_ task: PhoneTask, settings: PhoneSettings, timezone: TimeZone, now: Int64)
        -> (notices: [PlannedMessage], skipped: [String])
    {
        guard let manager = settings.manager,
            let channel = settings.managerChannel ?? settings.notify.first(where: { kinds[$0] == .email })
        else { return ([], []) }
        var request = MessageRequest(
            idempotencyKey: "task:\(task.id):overdue", template: "task-overdue",
            data: data(task, timezone: timezone, now: now), destinations: [.init(channel: channel, address: manager)],
            locale: settings.locale, priority: .high)
        return plan(&request, skipped: [], now: now)
    }

    /// The email telling the new CSM what a handover gave them (`csm-handover`), by the first email
    /// channel (by name), in the locale most of the clients have; nothing without an email channel.
    func forHandover(_ h: Handover, _ result: HandoverResult, fromName: String, now: Int64) -> [PlannedMessage] {
        guard let channel = ChannelKind.firstEmailChannel(in: kinds), let email = h.to.email,
            !result.clients.isEmpty
        else { return [] }
        let tasksOf = Dictionary(grouping: result.tasks, by: { $0.clientID ?? "" })
        let clients: [JSONValue] = result.clients.map { c in
            .object([
                "client_name": .string(c.name), "client_id": .string(c.id), "client_url": .string(links.client(c.id)), "tier": .string(c.tier),
                "stage": .string(c.lifecycleStage ?? "—"), "open_tasks": .int(Int64(tasksOf[c.id]?.count ?? 0)),
            ])
        }
        var request = MessageRequest(
            idempotencyKey: "handover:\(h.from):\(email.lowercased()):\(now)", template: "csm-handover",
            data: .object([
                "csm_name": .string(h.to.name), "csm_email": .string(email), "from_name": .string(fromName),
                "from_email": .string(h.from), "client_count": .int(Int64(result.clients.count)), "clients": .array(clients),
                "task_count": .int(Int64(result.tasks.count)), "has_tasks": .bool(!result.tasks.isEmpty),
                "message_count": .int(Int64(result.messages)), "has_messages": .bool(result.messages > 0),
                "note": h.note.map(JSONValue.string) ?? .null, "dashboard_url": .string(links.clients(csm: email)),
            ]),
            destinations: [.init(channel: channel, address: email)], locale: Client.prevailingLocale(of: result.clients),
            priority: .high)
        return plan(&request, skipped: [], now: now).0
    }

    func plan(_ request: inout MessageRequest, skipped: [String], now: Int64) -> ([PlannedMessage], [String]) {
        var skipped = skipped
        request.tracking = false
        request.destinations = request.destinations.filter { destination in
            guard let kind = kinds[destination.channel] else { return false }
            do {
                _ = try renderer.render(
                    template: request.template, subject: nil, text: nil, html: nil, data: request.data,
                    locale: request.locale, channel: kind)
                return true
            } catch {
                // The field's own reason ("template: 'csm-digest' does not exist (known: …)") says more than
                // the summary ("field 'template' is invalid").
                let herald = error as? HeraldError
                let why = herald?.fields.first.map { "\($0.name): \($0.reason)" } ?? herald?.detail ?? "\(error)"
                skipped.append("\(destination.channel): \(why)")
                return false
            }
        }
        guard !request.destinations.isEmpty else { return ([], skipped) }
        return ([PlannedMessage(request: request, now: now, actor: "dispatcher")], skipped)
    }
}
