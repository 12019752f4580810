import HeraldCore

/// What operators do through the API and the CLI alike, each written to the audit log with its
/// actor after its own transaction commits (``AuditStore/audit(_:logger:)``). Token changes are in
/// ``TokenIssuer``, handovers in `PhoneDesk`, redrives in `Redriver`, reloads in the application.
extension Store {
    /// An operator's or a CRM's save of a client (`PUT /v1/clients/{id}`, `herald clients import`):
    /// keeps its creation time, stores it, and writes what changed to the audit log (nothing when
    /// nothing did). The client as stored, whether it is new, and its entry; with `deferAudit` the entry
    /// is only returned, for an import to write many in one transaction.
    public func saveClient(_ client: Client, actor: String, deferAudit: Bool = false) async throws
        -> (client: Client, created: Bool, audit: AuditEntry?)
    {
        var client = client
        let existing = try await self.client(id: client.id)
        if let existing { client.createdAt = existing.createdAt }
        let created = try await upsertClient(client)
        let entry = ClientChanges.entry(old: existing, new: client, actor: actor, at: client.updatedAt)
        if let entry, !deferAudit { await audit(entry) }
        return (client, created, entry)
    }

    /// An operator's deletion of a client (``deleteClient(id:actor:now:)``), written to the audit
    /// log; nil when there is no such client.
    public func removeClient(id: String, actor: String, now: Int64) async throws -> ClientDeletion? {
        guard let deletion = try await deleteClient(id: id, actor: actor, now: now) else { return nil }
        let detail = "\(AuditEntry.count(deletion.messages.count, "message")) stopped: "
            + "\(AuditEntry.count(deletion.deliveriesCancelled.count, "delivery", plural: "deliveries")), "
            + "\(AuditEntry.count(deletion.escalationsCancelled, "escalation")), "
            + "\(AuditEntry.count(deletion.tasksCancelled.count, "call task")) cancelled"
        await audit(.make(.clientDeleted, subject: id, detail: detail, actor: actor, at: now))
        return deletion
    }

    /// ``erase(_:)`` and, unless a dry run, its audit entry — without the addresses, which are
    /// what was erased: the counts and the reason (a ticket number) say which request it was.
    public func erasePerson(_ request: Erasure.Request) async throws -> Erasure.Result {
        let result = try await erase(request)
        if !request.dryRun {
            var detail = "\(AuditEntry.count(request.addresses.count, "address", plural: "addresses")): " + result.summary
            if let reason = request.reason { detail += "; why: \(reason)" }
            await audit(.make(.personErased, subject: "-", detail: detail, actor: request.actor, at: request.now))
        }
        return result
    }

    /// An operator's entry (API and CLI): adds it unless the address already has one of its
    /// category, and writes what was added to the audit log.
    public func addSuppression(_ entry: Suppression, actor: String) async throws -> (entry: Suppression, created: Bool) {
        let stored = try await suppress(entry)
        if stored.created {
            await audit(.make(
                .suppressionAdded, subject: Suppression.key(stored.entry.address), detail: "\(stored.entry.category): \(stored.entry.reason)",
                actor: actor, at: stored.entry.createdAt))
        }
        return stored
    }

    /// An operator's removal (API and CLI): the entries of `address` (one category, or all),
    /// refusing, unless `force`, to remove an unsubscribe or an SMS opt-out (the recipient said no;
    /// only they can take it back). Throws `notFound` when there is nothing to remove. What was
    /// removed goes to the audit log with `reason` (why an unsubscribe was taken back, say).
    public func removeSuppression(
        address: String, category: String?, force: Bool, reason: String? = nil, actor: String, now: Int64
    ) async throws -> [Suppression] {
        let listed = try await suppressions(matching: SuppressionQuery(address: address, category: category, limit: 1_000))
        guard !listed.isEmpty else {
            throw HeraldError.notFound(
                "\(Suppression.key(address)) is not suppressed" + (category.map { " for \($0)" } ?? ""))
        }
        let theirs = [Suppression.Source.unsubscribe.rawValue, Suppression.Source.optOut.rawValue]
        if !force, let refusal = listed.first(where: { theirs.contains($0.source) }) {
            let what = refusal.source == Suppression.Source.optOut.rawValue ? "opted out of texts on" : "unsubscribed from"
            throw HeraldError.conflict(
                "\(refusal.address) \(what) \(refusal.category) messages; remove it only if they asked to "
                    + "resubscribe, with force")
        }
        let removed = try await unsuppress(address: address, category: category)
        if !removed.isEmpty {
            var detail = removed.map { "\($0.category) (\($0.source): \($0.reason))" }.joined(separator: ", ")
            if force { detail += "; forced" }
            if let reason { detail += "; why: \(reason)" }
            await audit(.make(.suppressionRemoved, subject: Suppression.key(address), detail: detail, actor: actor, at: now))
        }
        return removed
    }

    /// An operator's deletion of an API subscription (API and CLI), written to the audit log; false
    /// when there is none with its id.
    public func deleteSubscription(_ subscription: Subscription, actor: String, now: Int64) async throws -> Bool {
        guard try await deleteSubscription(id: subscription.id) else { return false }
        await audit(.make(.subscriptionDeleted, subject: subscription.id, detail: subscription.name, actor: actor, at: now))
        return true
    }

    /// An operator's redrive of a subscription's dead letters (API and CLI); how many were queued
    /// again, written to the audit log when any were.
    public func redriveNotices(of subscription: Subscription, actor: String, now: Int64) async throws -> Int {
        let count = try await redriveNotices(subscriptionID: subscription.id, now: now)
        if count > 0 {
            await audit(.make(
                .subscriptionRedriven, subject: subscription.id,
                detail: "\(subscription.name): \(AuditEntry.count(count, "dead letter")) queued again", actor: actor, at: now))
        }
        return count
    }
}
