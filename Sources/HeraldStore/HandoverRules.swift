import HeraldCore

/// What every backend's handover shares: which clients it takes and which messages count as not
/// sent yet.
extension Handover {
    /// States of a delivery that has sent nothing: a message all of whose deliveries are in one
    /// of these has not reached anyone, so its Reply-To can still change without rewriting history.
    public static let unsentStates: [DeliveryState] = [.scheduled, .queued, .retrying, .suppressed, .cancelled, .expired]

    /// The most clients one handover takes (the most `clients` a request may name).
    public static let maximumClients = 10_000

    /// The SQL list of ``unsentStates`` (`'scheduled', 'queued', …`).
    public static var unsentStateList: String { unsentStates.map { "'\($0.rawValue)'" }.joined(separator: ", ") }

    /// Of `theirs` (every client whose CSM is `from`), the ones this handover takes. Throws
    /// `notFound` when there are none, `invalid` naming `clients` for a named client that is not theirs.
    public func chosen(from theirs: [Client]) throws(HeraldError) -> [Client] {
        guard !theirs.isEmpty else { throw .notFound("no client has the CSM \(from)") }
        guard !clientIDs.isEmpty else {
            // One transaction, and one SQL list of ids: a book this large goes in parts.
            if theirs.count > Self.maximumClients {
                throw .invalid(
                    field: "clients",
                    "\(from) has \(theirs.count) clients; hand over at most \(Self.maximumClients) at a time by naming them")
            }
            return theirs
        }
        let byID = Dictionary(theirs.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let missing = clientIDs.filter { byID[$0] == nil }
        if !missing.isEmpty {
            let shown = missing.prefix(5).joined(separator: ", ") + (missing.count > 5 ? " and \(missing.count - 5) more" : "")
            throw .invalid(field: "clients", "not clients of \(from): \(shown)")
        }
        return clientIDs.compactMap { byID[$0] }
    }

    /// A waiting message as the stores read it for ``plan(chosen:openTasks:waiting:now:)``.
    public struct Waiting: Sendable {
        public var id: String
        public var clientID: String
        public var replyTo: String?
        public var mentions: [String]

        public init(id: String, clientID: String, replyTo: String?, mentions: [String]) {
            self.id = id
            self.clientID = clientID
            self.replyTo = replyTo
            self.mentions = mentions
        }
    }

    /// What the handover changes, from what the store read: the clients with the new CSM, their
    /// open tasks reassigned, and the waiting messages whose Reply-To or mentions change (with
    /// their new values; ``rewrite(replyTo:mentions:old:)``).
    public func plan(chosen: [Client], openTasks: [PhoneTask], waiting: [Waiting], now: Int64) -> (HandoverResult, [Waiting]) {
        let oldCSM = Dictionary(chosen.map { ($0.id, $0.csm) }, uniquingKeysWith: { first, _ in first })
        let rewrites = waiting.compactMap { m -> Waiting? in
            guard let new = rewrite(replyTo: m.replyTo, mentions: m.mentions, old: oldCSM[m.clientID] ?? nil) else { return nil }
            return Waiting(id: m.id, clientID: m.clientID, replyTo: new.replyTo, mentions: new.mentions)
        }
        var result = HandoverResult(clients: chosen.map { handed($0, at: now) }, tasks: openTasks.map(reassigned), messages: rewrites.count)
        result.formerName = chosen.first?.csm?.name
        return (result, rewrites)
    }

    /// `client` with the new CSM.
    func handed(_ client: Client, at now: Int64) -> Client {
        var client = client
        client.csm = to
        client.updatedAt = now
        return client
    }

    /// `task` assigned to the new CSM.
    func reassigned(_ task: PhoneTask) -> PhoneTask {
        var task = task
        task.assignee = to.email?.lowercased()
        task.assigneeName = to.name
        return task
    }
}
