import Foundation

/// A CSM's clients handed to another CSM (客户交接: someone leaves or changes role, or their book is
/// split). In one transaction: every client whose CSM has the email `from` (or only `clientIDs`)
/// gets `to` as CSM; their open call tasks move to `to`, who is told of each; their messages that
/// have not gone out yet take `to` as Reply-To and in robot @-mentions, where they named `from`.
public struct Handover: Sendable, Equatable {
    /// The CSM handing over, by email (lower-cased).
    public var from: String
    /// The CSM taking over (with an email: tasks are assigned by it).
    public var to: CSM
    /// Only these clients; empty: every client of `from`.
    public var clientIDs: [String]
    /// Only report what would change.
    public var dryRun: Bool
    /// For the new CSM, in the handover email: goals, open items, what to watch.
    public var note: String?

    public init(from: String, to: CSM, clientIDs: [String] = [], dryRun: Bool = false, note: String? = nil) {
        self.from = from.lowercased()
        self.to = to
        self.clientIDs = clientIDs
        self.dryRun = dryRun
        self.note = note
    }

    /// Reads `{"from", "to": {"name", "email", "phone"?, "wecom_user_id"?, "dingtalk_user_id"?},
    /// "clients"?: [id…], "dry_run"?: bool, "note"?}`, naming every offending field.
    public static func parse(_ body: JSONValue) throws(HeraldError) -> Handover {
        var reader = try FieldReader(body: body)
        reader.rejectUnknown(["from", "to", "clients", "dry_run", "note"])
        let from = reader.string("from", maxLength: 254)
        if let from, let problem = DestinationRules.emailProblem(from) { reader.fail("from", problem) }
        if from == nil && reader.object["from"] == nil { reader.fail("from", "required: the email of the CSM handing over") }
        var to: CSM?
        switch reader.object["to"] {
        case nil, .null?: reader.fail("to", "required: the CSM taking over, {\"name\", \"email\"}")
        case .object(let c)?:
            to = ClientJSON.readCSM(c, path: "to.", into: &reader)
            if c["email"] == nil || c["email"] == .null { reader.fail("to.email", "required: tasks are assigned by email") }
        case let other?: reader.fail("to", "must be an object, not \(other.typeName)")
        }
        if let from, let email = to?.email, email.lowercased() == from.lowercased() {
            reader.fail("to.email", "is the CSM handing over")
        }
        var clientIDs: [String] = []
        switch reader.object["clients"] {
        case nil, .null?: break
        case .array(let items)?:
            if items.isEmpty || items.count > 10_000 { reader.fail("clients", "name 1 to 10,000 client ids, or leave it out for all") }
            for (i, item) in items.prefix(10_000).enumerated() {
                if case .string(let id) = item, !id.isEmpty { clientIDs.append(id) } else { reader.fail("clients[\(i)]", "must be a client id") }
            }
        case let other?: reader.fail("clients", "must be an array of client ids, not \(other.typeName)")
        }
        let dryRun = reader.bool("dry_run") ?? false
        let note = reader.string("note", maxLength: 4_000)
        try reader.check()
        guard let from, let to else { throw .invalid(field: "(body)", "incomplete") }
        return Handover(from: from, to: to, clientIDs: Array(Set(clientIDs)).sorted(), dryRun: dryRun, note: note)
    }

    /// A waiting message's Reply-To and @-mentions with `to` in place of `old` (the client's CSM
    /// before the handover), or nil when they name neither `from` nor `old`. A Reply-To is
    /// replaced when its address is `from` (whatever name it carried); mentions when they hold
    /// `old`'s robot user ids or mobile (then `to`'s, as `"csm"` expands, take their place).
    public func rewrite(replyTo: String?, mentions: [String], old: CSM?) -> (replyTo: String?, mentions: [String])? {
        var newReplyTo = replyTo
        if let replyTo, Self.address(of: replyTo) == from { newReplyTo = to.mailbox }
        let theirs = Set(old.map(Mentions.of) ?? [])
        var newMentions = mentions
        if !theirs.isEmpty, mentions.contains(where: theirs.contains) {
            newMentions = mentions.filter { !theirs.contains($0) }
            for entry in Mentions.of(to) where !newMentions.contains(entry) { newMentions.append(entry) }
        }
        return newReplyTo == replyTo && newMentions == mentions ? nil : (newReplyTo, newMentions)
    }

    /// The lower-cased address of `Name <address>` or a bare address.
    static func address(of mailbox: String) -> String {
        guard let open = mailbox.lastIndex(of: "<"), let close = mailbox.lastIndex(of: ">"), open < close else {
            return mailbox.trimmingCharacters(in: .whitespaces).lowercased()
        }
        return String(mailbox[mailbox.index(after: open)..<close]).lowercased()
    }
}

/// What a handover changed (or, for a dry run, would change).
public struct HandoverResult: Sendable, Equatable {
    /// The clients now with the new CSM, by id.
    public var clients: [Client]
    /// Their open call tasks, now assigned to the new CSM.
    public var tasks: [PhoneTask]
    /// Their messages not sent yet whose Reply-To or @-mentions named the old CSM.
    public var messages: Int
    /// The message telling the new CSM about the handover (`csm-handover`), when one was enqueued.
    public var summary: String?
    /// The old CSM's name, as the first client's record had it.
    public var formerName: String?

    public init(clients: [Client] = [], tasks: [PhoneTask] = [], messages: Int = 0) {
        self.clients = clients
        self.tasks = tasks
        self.messages = messages
    }
}
