import HeraldCore
import HeraldDispatch
import HeraldStore
import Hummingbird

/// Resending from the dashboard: one message (`/dashboard/messages/{id}/resend`: confirmation
/// with channel choice, then POST) and in bulk (`/dashboard/resend`: filter, preview with the
/// count, confirmed POST). Both go through the same `Resender` and guard rails as the API.
struct ResendPages: Sendable {
    let store: any Store
    let runtime: Runtime
    let wakeup: Signal
    let views: DashboardViews
    /// The choices of "unopened for at least".
    static let ages = ["24h", "48h", "72h", "7d", "14d"]

    func register(on group: RouterGroup<HeraldRequestContext>) {
        group.get("messages/:id/resend") { request, context in
            let visit = try DashboardRoutes.visit(context)
            let id = context.parameters.get("id") ?? ""
            guard let detail = try await store.message(id: id) else { throw HeraldError.notFound("no message with id \(id)") }
            let snapshot = runtime.current
            // `?channel=` previews another channel before confirming (links, no script); anything
            // but a channel a message can be resent on means the same channels.
            let names = snapshot.routing.channels.filter { $0.value != .phone }.keys.sorted()
            let chosen = request.uri.queryParameters.get("channel").flatMap { asked in names.first { $0 == asked } }
            let base = "/dashboard/messages/\(id)/resend"
            var values: [String: Any] = [
                "id": id, "title": ClientPages.title(detail.message, renderer: snapshot.renderer), "client_id": detail.message.clientID ?? "",
                "client_name": visit.text("back_to_clients"),
                "channels": [
                    ["key": "same", "value": "", "label": visit.text("same_channels"), "checked": chosen == nil, "url": base]
                ] + names.map { name -> [String: Any] in
                    ["key": name, "value": name, "label": name, "checked": name == chosen, "url": ClientPages.url(base, ["channel": name])]
                },
            ]
            if let created = DashboardViews.time(detail.message.createdAt) { values["created"] = created }
            if let clientID = detail.message.clientID, let client = try await store.client(id: clientID) { values["client_name"] = client.name }
            do {
                let plan = try await snapshot.resender.plan(
                    messageID: id, channel: chosen, reason: nil, force: false, actor: visit.actor, now: Timestamps.now())
                values["has_items"] = !plan.items.isEmpty
                values["items"] = Self.items(plan)
            } catch let error as HeraldError where error.kind == .conflict || error.kind == .invalidInput {
                values["refusal"] = error.fields.first?.reason ?? error.detail
            }
            return views.page("resend", title: visit.text("resend_title"), visit: visit, nav: "clients", values: values)
        }
        group.post("messages/:id/resend") { _, context in
            let visit = try DashboardRoutes.visit(context)
            let id = context.parameters.get("id") ?? ""
            let channel = visit.form.text("channel")
            let reason = visit.form.text("reason").map { String($0.prefix(500)) }
            let resender = runtime.current.resender
            let plan = try await resender.plan(messageID: id, channel: channel, reason: reason, force: false, actor: visit.actor, now: Timestamps.now())
            let made = try await resender.execute(plan)
            wakeup.raise()
            guard let detail = try await store.message(id: id), let clientID = detail.message.clientID else {
                return DashboardMiddleware.redirect("/dashboard/clients")
            }
            return DashboardMiddleware.redirect(ClientPages.url("/dashboard/clients/\(clientID)", ["resent": String(made.count)]) + "#m-\(id)")
        }

        group.get("resend") { request, context in
            let visit = try DashboardRoutes.visit(context)
            let form = DashboardForm(urlEncoded: request.uri.query ?? "")
            let snapshot = runtime.current
            let filter = try await selection(form, visit: visit)
            var values: [String: Any] = [
                "templates": snapshot.renderer.library.names.map { ["name": $0, "selected": $0 == filter.template] },
                "tiers": snapshot.config.tiers.keys.sorted().map { ["name": $0, "selected": $0 == filter.tier] },
                "ages": Self.ages.map { ["value": $0, "selected": $0 == filter.age] },
                "has_csm": visit.csm != nil, "mine": filter.mine,
            ]
            var notice: String? = nil
            if let done = form.text("resent").flatMap(Int.init) {
                notice = DashboardStrings.format(visit.text("bulk_done"), done, form.text("skipped").flatMap(Int.init) ?? 0)
            }
            if form["preview"] != nil {
                let bulk = filter.selectsNothing
                    ? Resender.BulkPlan()
                    : try await snapshot.resender.bulk(filter.resend, reason: nil, actor: visit.actor, now: Timestamps.now())
                let (plans, skipped) = (bulk.plans, bulk.skipped)
                var rows: [[String: Any]] = []
                for plan in plans {
                    guard let message = bulk.messages[plan.messageID] else { continue }
                    let clientName = message.clientID.map { id in (bulk.clients[id] ?? nil)?.name ?? id } ?? "-"
                    rows.append([
                        "client": clientName, "title": ClientPages.title(message, renderer: snapshot.renderer),
                        "created": DashboardViews.time(message.createdAt)?["text"] ?? "",
                        "targets": plan.items.map { "\($0.channel) → \($0.destination)" }.joined(separator: ", "),
                    ])
                }
                values["preview"] = true
                values["count_text"] = DashboardStrings.format(visit.text("preview_count"), plans.count, skipped.count)
                values["confirm_text"] = DashboardStrings.format(visit.text("resend_all"), plans.count)
                values["plans"] = rows
                values["has_plans"] = !plans.isEmpty
                values["skipped"] = skipped.map { ["message": $0.messageID, "reason": $0.reason] }
                values["has_skipped"] = !skipped.isEmpty
                values["template"] = filter.template ?? ""
                values["tier"] = filter.tier ?? ""
                values["unopened_for"] = filter.age
                values["mine_value"] = filter.mine ? "1" : ""
            }
            return views.page("bulk-resend", title: visit.text("bulk_resend"), visit: visit, nav: "resend", values: values, notice: notice)
        }
        group.post("resend") { _, context in
            let visit = try DashboardRoutes.visit(context)
            let filter = try await selection(visit.form, visit: visit)
            let resender = runtime.current.resender
            let bulk = filter.selectsNothing
                ? Resender.BulkPlan()
                : try await resender.bulk(
                    filter.resend, reason: "bulk resend from the dashboard", actor: visit.actor, now: Timestamps.now())
            let (plans, skipped) = (bulk.plans, bulk.skipped)
            var resent = 0
            var refused = skipped.count
            for plan in plans {
                do {
                    _ = try await resender.execute(plan)
                    resent += 1
                } catch let error as HeraldError where error.kind == .conflict {
                    refused += 1  // resent by someone else meanwhile
                }
            }
            if resent > 0 { wakeup.raise() }
            return DashboardMiddleware.redirect(ClientPages.url("/dashboard/resend", [
                "resent": String(resent), "skipped": String(refused), "template": filter.template, "tier": filter.tier,
                "unopened_for": filter.age, "mine": filter.mine ? "1" : nil,
            ]))
        }
    }

    /// The bulk filter a form describes; "only my clients" becomes the list of the CSM's client ids.
    struct Filter {
        var resend: Resender.Filter
        /// "Only my clients" and the CSM has none: nothing is selected (an empty id list would mean "all").
        var selectsNothing: Bool { mine && resend.clientIDs.isEmpty }
        var template: String?
        var tier: String?
        var age: String
        var mine: Bool
    }

    /// More clients than one CSM owns; "only my clients" beyond it is refused rather than cut.
    static let maximumOwnClients = 1_000

    func selection(_ form: DashboardForm, visit: DashboardVisit) async throws -> Filter {
        let age = form.text("unopened_for") ?? "48h"
        guard Self.ages.contains(age), let millis = DurationText.milliseconds(age) else {
            throw HeraldError.invalid(field: "unopened_for", "must be one of \(Self.ages.joined(separator: ", "))")
        }
        var resend = Resender.Filter(unopenedFor: millis)
        resend.template = form.text("template")
        resend.tier = form.text("tier")
        var mine = false
        if form.text("mine") == "1", let csm = visit.csm {
            mine = true
            var ids: [String] = []
            var after: String? = nil
            while true {
                let page = try await store.clients(matching: ClientFilter(csm: csm), after: after, limit: 500)
                ids += page.map(\.id)
                guard page.count == 500, let last = page.last else { break }
                after = last.id
            }
            guard ids.count <= Self.maximumOwnClients else {
                throw HeraldError.invalid(field: "mine", "you own more than \(Self.maximumOwnClients) clients; filter by tier or template instead")
            }
            resend.clientIDs = ids
        }
        return Filter(resend: resend, template: resend.template, tier: resend.tier, age: age, mine: mine)
    }

    static func items(_ plan: ResendPlan) -> [[String: Any]] {
        plan.items.map { item in
            var row: [String: Any] = ["channel": item.channel, "destination": item.destination]
            if let held = item.held, let at = DashboardViews.time(item.dueAt) { row["held"] = "\(at["text"] ?? "") (\(held))" }
            return row
        }
    }
}
