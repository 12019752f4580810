/// What a save of a client changed, in the words of the audit log (`client.created`,
/// `client.updated`). Contacts are named by their ids and endpoints by their channels only: their
/// addresses and URLs are personal data or secrets, and the audit log keeps neither.
public enum ClientChanges {
    /// The entry for saving `new` over `old` (nil: a new client), or nil when nothing an operator
    /// would ask about changed (a CRM's nightly sync of the same data writes nothing).
    public static func entry(old: Client?, new: Client, actor: String, at: Int64) -> AuditEntry? {
        guard let old else {
            var detail = ["tier \(new.tier)"]
            if let csm = new.csm { detail.append("CSM \(csm.email ?? csm.name)") }
            if let stage = new.lifecycleStage { detail.append("stage \(stage)") }
            detail.append(AuditEntry.count(new.contacts.count, "contact"))
            return .make(.clientCreated, subject: new.id, detail: detail.joined(separator: "; "), actor: actor, at: at)
        }
        var changes: [String] = []
        func compare(_ field: String, _ a: String?, _ b: String?) {
            if a != b { changes.append("\(field) \(a ?? "-") → \(b ?? "-")") }
        }
        compare("name", old.name, new.name)
        compare("tier", old.tier, new.tier)
        compare("CSM", old.csm.map { $0.email ?? $0.name }, new.csm.map { $0.email ?? $0.name })
        compare("stage", old.lifecycleStage, new.lifecycleStage)
        compare("timezone", old.timezone, new.timezone)
        compare("locale", old.locale, new.locale)
        let before = Dictionary(old.contacts.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let after = Dictionary(new.contacts.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let added = after.keys.filter { before[$0] == nil }.sorted()
        let removed = before.keys.filter { after[$0] == nil }.sorted()
        let edited = after.keys.filter { before[$0] != nil && before[$0] != after[$0] }.sorted()
        if !added.isEmpty { changes.append("contacts added: " + added.joined(separator: ", ")) }
        if !removed.isEmpty { changes.append("contacts removed: " + removed.joined(separator: ", ")) }
        if !edited.isEmpty { changes.append("contacts changed: " + edited.joined(separator: ", ")) }
        let channels = Set(old.endpoints.keys).union(new.endpoints.keys).filter { old.endpoints[$0] != new.endpoints[$0] }.sorted()
        if !channels.isEmpty { changes.append("endpoints changed: " + channels.joined(separator: ", ")) }
        guard !changes.isEmpty else { return nil }
        return .make(.clientUpdated, subject: new.id, detail: changes.joined(separator: "; "), actor: actor, at: at)
    }
}
