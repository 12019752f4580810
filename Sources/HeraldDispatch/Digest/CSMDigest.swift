import Foundation
import HeraldCore
import HeraldStore

/// Each CSM's digest of a day (``DigestSettings``): what it holds, and the `csm-digest` email that
/// carries it, keyed by CSM and day so each CSM gets one a day however often it is asked for (a
/// restart, several instances on PostgreSQL, `herald digest` by hand).
public struct CSMDigest: Sendable {
    /// What one CSM's digest says.
    public struct Report: Sendable {
        public var email: String
        public var name: String
        public var clients: [Client]
        /// Open calls due by the end of the day, overdue ones included: the first ``listed`` of
        /// them, oldest first.
        public var tasks: [PhoneTask]
        /// How many calls are due in all (more than `tasks` holds when over ``listed``).
        public var taskTotal: Int
        /// The clients that most need the CSM (unopened messages, important ones first).
        public var attention: [(client: Client, activity: ClientActivity)]
        /// Deliveries to their clients that failed or gave up in the last day: the newest
        /// ``listedFailures``.
        public var failures: [(message: Message, delivery: Delivery)]
        /// How many failed in all (more than `failures` holds when over ``listedFailures``).
        public var failureTotal: Int

        public var isEmpty: Bool { tasks.isEmpty && attention.isEmpty && failures.isEmpty }
    }

    /// The most calls and failures one digest lists (the totals count them all).
    public static let listed = 50
    public static let listedFailures = 20

    let store: any Store
    let notices: TaskNotices
    let settings: DigestSettings
    let openableChannels: [String]
    let channel: String?
    /// The digest links each client it names to their page on the dashboard.
    let links: DashboardLinks

    public init(config: HeraldConfig, store: any Store, renderer: MessageRenderer, settings: DigestSettings) {
        self.store = store
        notices = TaskNotices(config: config, renderer: renderer)
        self.settings = settings
        openableChannels = config.routing.openableChannels
        channel = settings.channel ?? ChannelKind.firstEmailChannel(in: config.channelKinds)
        links = DashboardLinks(publicURL: config.server.publicURL)
    }

    /// Every CSM's report at `now` (only `csm`'s when given), in email order.
    public func reports(now: Int64, csm: String? = nil) async throws -> [Report] {
        var byCSM: [String: (name: String, clients: [Client])] = [:]
        var after: String? = nil
        while true {
            let page = try await store.clients(matching: .all, after: after, limit: 500)
            for client in page {
                guard let email = client.csm?.email?.lowercased(), csm.map({ $0.lowercased() == email }) ?? true else { continue }
                byCSM[email, default: (client.csm?.name ?? email, [])].clients.append(client)
            }
            guard page.count == 500, let last = page.last else { break }
            after = last.id
        }
        var reports: [Report] = []
        for (email, entry) in byCSM.sorted(by: { $0.key < $1.key }) {
            reports.append(try await report(email: email, name: entry.name, clients: entry.clients, now: now))
        }
        return reports
    }

    func report(email: String, name: String, clients: [Client], now: Int64) async throws -> Report {
        var tasks: [PhoneTask] = []
        var taskTotal = 0
        var taskQuery = TaskQuery(assignee: email, status: .open, dueBefore: settings.endOfDay(now), limit: 500)
        while true {
            let page = try await store.tasks(matching: taskQuery)
            taskTotal += page.count
            tasks += page.prefix(Self.listed - tasks.count)
            guard page.count == taskQuery.limit, let last = page.last else { break }
            taskQuery.cursor = last.id
        }
        let ids = clients.map(\.id)
        var activity: [String: ClientActivity] = [:]
        for start in stride(from: 0, to: ids.count, by: ClientAttention.limit) {
            let part = Array(ids[start..<min(start + ClientAttention.limit, ids.count)])
            activity.merge(try await store.clientActivity(clientIDs: part, openableChannels: openableChannels)) { first, _ in first }
        }
        let byID = Dictionary(clients.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let waiting = activity.values.filter { $0.unopened > 0 }.sorted(by: ClientActivity.needsAttentionBefore)
        let attention = waiting.prefix(settings.clients).compactMap { a in byID[a.clientID].map { (client: $0, activity: a) } }
        let (failures, failureTotal) = try await failures(clientIDs: ids, now: now)
        return Report(
            email: email, name: name, clients: clients, tasks: tasks, taskTotal: taskTotal, attention: attention,
            failures: failures, failureTotal: failureTotal)
    }

    /// The deliveries to `clientIDs` that gave up in the last day: the newest ``listedFailures``
    /// and how many in all, counted by the store. Deliveries made in the last four days are read (a
    /// delivery retries for up to `[retry] max_age`, 72 h by default, before it is dead).
    func failures(clientIDs ids: [String], now: Int64) async throws -> ([(message: Message, delivery: Delivery)], Int) {
        let found = try await store.gaveUp(
            clientIDs: ids, since: now - 86_400_000, createdSince: now - 4 * 86_400_000, limit: Self.listedFailures)
        return (found.newest, found.total)
    }

    /// The `csm-digest` email of `report` for the day of `now`, or nil without an email channel
    /// (or when its template does not render: the reason is in the second value).
    public func email(_ r: Report, now: Int64) -> (PlannedMessage?, [String]) {
        guard let channel else { return (nil, ["no email channel"]) }
        let zone = TimeZone.named(settings.timezone)
        let names = Dictionary(r.clients.map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
        let tasks: [JSONValue] = r.tasks.map { t in
            .object([
                "task_id": .string(t.id), "client_name": .string(t.clientName ?? t.clientID ?? ""),
                "contact_name": .string(t.contactName ?? t.phone), "phone": .string(t.phone), "reason": .string(t.reason),
                "due": .string(TaskNotices.localTime(t.dueAt, timezone: zone)), "overdue": .bool(t.dueAt < now),
            ])
        }
        let attention: [JSONValue] = r.attention.map { c, a in
            .object([
                "client_name": .string(c.name), "client_id": .string(c.id), "client_url": .string(links.client(c.id)),
                "unopened": .int(Int64(a.unopened)),
                "unopened_important": .int(Int64(a.unopenedImportant)),
                "last_contact": a.lastContactAt.map { .string(TaskNotices.localTime($0, timezone: zone)) } ?? .string("—"),
            ])
        }
        let failures: [JSONValue] = r.failures.map { m, d in
            .object([
                "client_name": .string(m.clientID.flatMap { names[$0] } ?? m.clientID ?? ""), "client_id": .string(m.clientID ?? ""),
                "client_url": .string(m.clientID.map(links.client) ?? links.base),
                "what": .string(m.template ?? m.subject ?? m.id), "message_id": .string(m.id), "channel": .string(d.channel),
                "destination": .string(DestinationRules.redacted(d.destination)),
                "error": .string(DisplayText.line(d.lastError ?? d.state.rawValue, limit: 200)),
            ])
        }
        var request = MessageRequest(
            idempotencyKey: "digest:\(r.email):\(settings.day(of: now))", template: "csm-digest",
            data: .object([
                "csm_name": .string(r.name), "csm_email": .string(r.email), "date": .string(settings.day(of: now)),
                "dashboard_url": .string(links.clients(csm: r.email)),
                "timezone": .string(settings.timezone), "client_count": .int(Int64(r.clients.count)),
                "tasks": .array(tasks), "task_count": .int(Int64(r.taskTotal)), "has_tasks": .bool(!tasks.isEmpty),
                "more_tasks": .int(Int64(r.taskTotal - tasks.count)), "has_more_tasks": .bool(r.taskTotal > tasks.count),
                "attention": .array(attention), "has_attention": .bool(!attention.isEmpty),
                "failures": .array(failures), "failure_count": .int(Int64(r.failureTotal)), "has_failures": .bool(!failures.isEmpty),
                "more_failures": .int(Int64(r.failureTotal - failures.count)), "has_more_failures": .bool(r.failureTotal > failures.count),
            ]),
            destinations: [.init(channel: channel, address: r.email)],
            locale: Client.prevailingLocale(of: r.clients))
        let (planned, skipped) = notices.plan(&request, skipped: [], now: now)
        return (planned.first, skipped)
    }

    /// The digest each CSM was sent since the start of today in `[digest] timezone`, by CSM email.
    /// The idempotency key (CSM and local date) stops a second digest of the same date; this also
    /// stops one under another date when the time zone changed during the day (a digest sent at
    /// 16:05 UTC on the 7th, then `timezone = "Asia/Shanghai"`, where it is already the 8th).
    func digestsSentToday(now: Int64) async throws -> [String: String] {
        var sent: [String: String] = [:]
        var query = MessageQuery(template: "csm-digest", since: settings.startOfDay(now), limit: 500)
        while true {
            let page = try await store.messages(matching: query)
            for item in page.items {
                for d in item.deliveries where sent[d.destination.lowercased()] == nil {
                    sent[d.destination.lowercased()] = item.message.id
                }
            }
            guard let next = page.nextCursor else { break }
            query.cursor = next
        }
        return sent
    }

    /// What happened to one CSM's digest.
    public enum Outcome: Sendable, Equatable {
        case sent(messageID: String)
        /// A dry run's: it would go.
        case wouldSend
        case alreadySent(messageID: String)
        case nothingToReport
        case notSent(String)

        /// The `outcome` label of `herald_digests_total`.
        public var label: String {
            switch self {
            case .sent: "sent"
            case .wouldSend: "would_send"
            case .alreadySent: "already_sent"
            case .nothingToReport: "nothing_to_report"
            case .notSent: "not_sent"
            }
        }
    }

    /// Enqueues the day's digest of every CSM (or `csm`'s: `notFound` when no client has them);
    /// `dryRun` only reports.
    public func send(now: Int64, csm: String? = nil, dryRun: Bool = false) async throws -> [(Report, Outcome)] {
        let reports = try await reports(now: now, csm: csm)
        if let csm, reports.isEmpty { throw HeraldError.notFound("no client has the CSM \(csm)") }
        let sentToday = try await digestsSentToday(now: now)
        var outcomes: [(Report, Outcome)] = []
        for report in reports {
            if let id = sentToday[report.email] {
                outcomes.append((report, .alreadySent(messageID: id)))
                continue
            }
            if report.isEmpty && settings.skipEmpty {
                outcomes.append((report, .nothingToReport))
                continue
            }
            let (planned, skipped) = email(report, now: now)
            guard let planned else {
                outcomes.append((report, .notSent(skipped.joined(separator: "; "))))
                continue
            }
            if dryRun {
                outcomes.append((report, .wouldSend))
                continue
            }
            switch try await store.enqueue([planned]).first {
            case .created(let m, _)?: outcomes.append((report, .sent(messageID: m.id)))
            // The key was used: today's digest went already (the same, or with what was true then).
            case .duplicate(let m, _)?: outcomes.append((report, .alreadySent(messageID: m.id)))
            case .conflict(let id)?: outcomes.append((report, .alreadySent(messageID: id)))
            case nil: outcomes.append((report, .notSent("not stored")))
            }
        }
        return outcomes
    }
}
