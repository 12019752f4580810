import Foundation
import HeraldCore
import HeraldStore
import Hummingbird

/// "My clients" (`/dashboard/clients`) and one client's timeline (`/dashboard/clients/{id}`).
struct ClientPages: Sendable {
    let store: any Store
    let runtime: Runtime
    let views: DashboardViews
    static let pageSize = 50
    /// One page of "My clients": the clients shown with their activity, and the query parameters
    /// (merged into the filter's) of the pages around it.
    struct ClientsPage {
        var clients: [(client: Client, activity: ClientActivity)] = []
        var byAttention: Bool
        var next: [String: String?]?
        var previous: [String: String?]?
    }

    /// Page `number` (1-based, clamped to the pages there are) of a list in attention order.
    private func attentionPage(_ ordered: [ClientActivity], number: Int) async throws -> ClientsPage {
        let pages = max(1, (ordered.count + Self.pageSize - 1) / Self.pageSize)
        let number = min(max(1, number), pages)
        let shown = ordered.dropFirst((number - 1) * Self.pageSize).prefix(Self.pageSize)
        var page = ClientsPage(clients: try await ClientAttention.clients(store, shown), byAttention: true)
        if number < pages { page.next = ["page": String(number + 1)] }
        if number > 1 { page.previous = ["page": String(number - 1)] }
        return page
    }

    /// A page of a list too long to order by attention: by id, from the cursor `after`.
    private func idPage(_ filter: ClientFilter, after: String?, channels: [String]) async throws -> ClientsPage {
        let found = try await store.clients(matching: filter, after: after, limit: Self.pageSize + 1)
        let shown = found.prefix(Self.pageSize)
        let activity = try await store.clientActivity(clientIDs: shown.map(\.id), openableChannels: channels)
        var page = ClientsPage(
            clients: shown.map { ($0, activity[$0.id] ?? ClientActivity(clientID: $0.id)) }, byAttention: false)
        if found.count > Self.pageSize, let last = shown.last { page.next = ["after": last.id] }
        return page
    }

    func register(on group: RouterGroup<HeraldRequestContext>) {
        group.get("clients") { request, context in
            let visit = try DashboardRoutes.visit(context)
            let q = request.uri.queryParameters
            // No `csm` parameter: the signed-in CSM's clients; an empty one: everybody's.
            let csm = q.get("csm").map { $0.trimmingCharacters(in: .whitespaces) } ?? visit.csm ?? ""
            let tier = q.get("tier").flatMap { $0.isEmpty ? nil : $0 }
            let stage = q.get("stage").map { $0.trimmingCharacters(in: .whitespaces) }.flatMap { $0.isEmpty ? nil : $0 }
            let matching = try ClientFilter(tier: tier, csm: csm.isEmpty ? nil : csm, stage: stage).searching(q.get("search"))
            let search = matching.search ?? ""
            let filter: [String: String?] = ["csm": csm, "tier": tier, "stage": stage, "search": matching.search]
            let snapshot = runtime.current
            let emailChannels = snapshot.routing.openableChannels
            let page: ClientsPage
            if let ordered = try await ClientAttention.ordered(store, matching: matching, openableChannels: emailChannels) {
                page = try await attentionPage(ordered, number: q.get("page").flatMap { Int($0) } ?? 1)
            } else {
                page = try await idPage(
                    matching, after: q.get("after").flatMap { $0.isEmpty ? nil : $0 }, channels: emailChannels)
            }
            let rows: [[String: Any]] = page.clients.map { client, seen in
                var row: [String: Any] = [
                    "id": client.id, "name": client.name, "tier": client.tier, "stage": client.lifecycleStage ?? "",
                    "csm": client.csm?.name ?? "", "unopened": String(seen.unopened), "important": String(seen.unopenedImportant),
                    "attention": seen.unopenedImportant > 0,
                ]
                if let last = DashboardViews.time(seen.lastContactAt) { row["last_contact"] = last }
                return row
            }
            var values: [String: Any] = [
                "heading": csm.isEmpty ? visit.text("clients") : visit.csm == csm ? visit.text("my_clients") : "\(visit.text("clients")): \(csm)",
                "filter_csm": csm, "filter_stage": stage ?? "", "filter_search": search, "clients": rows,
                "has_clients": !rows.isEmpty,
                "tiers": snapshot.config.tiers.keys.sorted().map { ["name": $0, "selected": $0 == tier] },
                "order": page.byAttention
                    ? visit.text("clients_by_attention")
                    : DashboardStrings.format(visit.text("clients_by_id"), ClientAttention.limit),
            ]
            if rows.isEmpty, !search.isEmpty, !csm.isEmpty {
                // A search among one CSM's clients found nothing: the client may be a colleague's.
                values["search_everyone_url"] = Self.url("/dashboard/clients", filter.merging(["csm": ""]) { $1 })
            }
            if let next = page.next { values["next_url"] = Self.url("/dashboard/clients", filter.merging(next) { $1 }) }
            if let previous = page.previous {
                values["previous_url"] = Self.url("/dashboard/clients", filter.merging(previous) { $1 })
            }
            return views.page("clients", title: visit.text("my_clients"), visit: visit, nav: "clients", values: values)
        }

        group.get("clients/:id") { request, context in
            let visit = try DashboardRoutes.visit(context)
            let id = context.parameters.get("id") ?? ""
            guard let client = try await store.client(id: id) else { throw HeraldError.notFound("no client with id \(id)") }
            var query = MessageQuery(clientID: id, limit: 20)
            if let cursor = request.uri.queryParameters.get("cursor"), HeraldID.isValid(cursor, kind: .message) { query.cursor = cursor }
            let page = try await store.messages(matching: query)
            let details = try await store.messages(ids: page.items.map(\.0.id))
            // The call tasks of this page's messages (20 messages make a few tasks each at most).
            var taskQuery = TaskQuery(clientID: id, limit: 500)
            taskQuery.messageIDs = details.map(\.message.id)
            let tasks = details.isEmpty ? [] : try await store.tasks(matching: taskQuery)
            let snapshot = runtime.current
            var messages: [[String: Any]] = []
            for detail in details {
                let mine = tasks.filter { $0.messageID == detail.message.id }
                var item = Self.item(detail, tasks: mine, channels: snapshot.routing.channels, visit: visit)
                item["title"] = Self.title(detail.message, renderer: snapshot.renderer)
                messages.append(item)
            }
            // Contacts Herald no longer writes to (a bounce, an unsubscribe, a STOP): why mail is not arriving.
            var blocked = SuppressionQuery(limit: 200)
            blocked.addresses = client.contacts.flatMap { [$0.email, $0.phone].compactMap { $0 } }
            let suppressed = blocked.addresses.isEmpty ? [] : try await store.suppressions(matching: blocked)
            var notice: String? = nil
            if let made = request.uri.queryParameters.get("resent").flatMap(Int.init) {
                notice = DashboardStrings.format(visit.text("resend_done"), made)
            }
            var values: [String: Any] = [
                "client": [
                    "name": client.name, "tier": client.tier, "stage": client.lifecycleStage ?? "-",
                    "csm": client.csm.map { [$0.name, $0.email].compactMap { $0 }.joined(separator: " · ") } ?? "-",
                    "contacts": client.contacts.map { c -> [String: Any] in
                        let addresses = [c.email, c.phone].compactMap { $0.map(Suppression.key) }
                        return [
                            "line": [c.name, c.email, c.phone].compactMap { $0 }.joined(separator: " · "),
                            "blocked": suppressed.filter { addresses.contains($0.address) }.map { s in
                                ["address": s.address, "scope": Self.scope(s.category, visit: visit), "why": "\(s.source): \(s.reason)"]
                            },
                        ]
                    },
                ] as [String: Any],
                "messages": messages,
            ]
            if let next = page.nextCursor { values["next_url"] = Self.url("/dashboard/clients/\(id)", ["cursor": next]) }
            if !messages.isEmpty { values["csv_url"] = Self.url("/dashboard/clients/\(id)/messages.csv", [:]) }
            return views.page("client", title: client.name, visit: visit, nav: "clients", values: values, notice: notice)
        }

        // Every message of the client, one row per delivery, for a business review's spreadsheet (a
        // byte order mark, so that Excel reads the UTF-8). The name carries no client id: ids are
        // anyone's text, a header is not the place for them.
        group.get("clients/:id/messages.csv") { _, context in
            _ = try DashboardRoutes.visit(context)
            let id = context.parameters.get("id") ?? ""
            guard try await store.client(id: id) != nil else { throw HeraldError.notFound("no client with id \(id)") }
            return MessagesCSV.response(store, MessageQuery(clientID: id), name: "herald-client-messages", byteOrderMark: true)
        }
    }

    /// Which messages a suppression entry stops, in the visitor's language.
    static func scope(_ category: String, visit: DashboardVisit) -> String {
        switch category {
        case Suppression.Category.all.rawValue: visit.text("scope_all")
        case Suppression.Category.marketing.rawValue: visit.text("scope_marketing")
        default: visit.text("scope_channel") + " " + category.dropFirst("channel:".count)
        }
    }

    /// One message of the timeline: its deliveries with first opens and clicks by a person, its
    /// call tasks, and whether a Resend button belongs to it.
    static func item(_ detail: MessageDetail, tasks: [PhoneTask], channels: [String: ChannelKind], visit: DashboardVisit) -> [String: Any] {
        let message = detail.message
        func first(_ type: String, _ delivery: String) -> Int64? {
            detail.events.filter { $0.deliveryID == delivery && $0.type == type && $0.actor != EngagementActor.machine }.map(\.createdAt).min()
        }
        let deliveries: [[String: Any]] = detail.deliveries.map { d in
            let clicked = first("clicked", d.id)
            var row: [String: Any] = [
                "id": d.id, "channel": d.channel, "destination": d.destination, "state": d.state.rawValue,
                "resend": d.resendOf != nil,
            ]
            // Why it did not go (a bounce, a suppression, retries given up), as the delivery records it.
            if [DeliveryState.failed, .dead, .suppressed, .expired].contains(d.state), let why = d.lastError {
                row["why"] = why.count > 160 ? String(why.prefix(159)) + "…" : why
            }
            if let opened = DashboardViews.time(first("opened", d.id) ?? clicked) { row["opened"] = opened }
            if let clicked = DashboardViews.time(clicked) { row["clicked"] = clicked }
            return row
        }
        let engaged = detail.deliveries.contains { $0.state == .opened || $0.state == .clicked }
        let wentOut = detail.deliveries.contains { d in
            channels[d.channel] == .email && [DeliveryState.sent, .delivered].contains(d.state)
        }
        let failed = !detail.deliveries.isEmpty && detail.deliveries.allSatisfy { [DeliveryState.failed, .dead, .expired].contains($0.state) }
        // Past its expires_at a resend is refused without force, which the dashboard does not offer.
        let stale = message.expiresAt.map { $0 <= Timestamps.now() } ?? false
        var item: [String: Any] = [
            "id": message.id, "title": title(message), "priority": message.priority.rawValue,
            "unopened": wentOut && !engaged,
            "can_resend": !engaged && !stale && (wentOut || failed) && !Erasure.erased(detail.deliveries),
            "deliveries": deliveries,
            "tasks": tasks.map { task -> [String: Any] in
                var row: [String: Any] = ["id": task.id, "status": visit.text(task.status.rawValue)]
                if let outcome = task.outcome { row["outcome"] = visit.text("outcome_\(outcome.rawValue)") }
                return row
            },
        ]
        if message.resendCount > 0 { item["resends"] = String(message.resendCount) }
        if let created = DashboardViews.time(message.createdAt) { item["created"] = created }
        return item
    }

    /// What a CSM calls a message: its subject, else its template, else its id.
    static func title(_ message: Message) -> String {
        if let subject = message.subject, !subject.isEmpty { return subject }
        if let template = message.template { return template }
        return message.id
    }

    /// The subject the recipient saw (a template's email subject rendered with the message's data)
    /// and the template's name: `欢迎加入 Acme (welcome)`.
    static func title(_ message: Message, renderer: MessageRenderer) -> String {
        guard let template = message.template, message.subject?.isEmpty ?? true,
            let subject = (try? renderer.render(message, channel: .email))?.subject, !subject.isEmpty
        else { return title(message) }
        return "\(subject) (\(template))"
    }

    /// A dashboard URL with its query; nil values are left out (an empty string is kept: an empty
    /// `csm` means "everybody's clients", unlike no `csm` at all).
    static func url(_ path: String, _ parameters: [String: String?]) -> String {
        var components = URLComponents()
        components.path = path
        let items = parameters.compactMap { key, value in value.map { URLQueryItem(name: key, value: $0) } }
        components.queryItems = items.isEmpty ? nil : items.sorted { $0.name < $1.name }
        return components.string ?? path
    }
}
