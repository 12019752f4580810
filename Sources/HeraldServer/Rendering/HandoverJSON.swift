import HeraldCore
import HeraldDispatch

/// The answer of a handover (`POST /v1/clients/handover`, `herald clients handover --json`).
public enum HandoverJSON {
    /// `tokens`: the active tokens still scoped to the old CSM (their dashboard would now be empty).
    public static func result(_ h: Handover, _ r: HandoverResult, tokens: [APIToken], now: Int64, links: DashboardLinks) -> JSONValue {
        .object([
            "dry_run": .bool(h.dryRun), "from": .string(h.from), "to": ClientJSON.csm(h.to),
            "clients": .array(r.clients.map { c in
                .object(["id": .string(c.id), "name": .string(c.name), "tier": .string(c.tier)])
            }),
            "tasks": .array(r.tasks.map { TaskJSON.task($0, now: now, links: links) }),
            "messages": .int(Int64(r.messages)),
            "summary": r.summary.map(JSONValue.string) ?? .null, "note": h.note.map(JSONValue.string) ?? .null,
            "tokens_still_scoped": .array(tokens.map { .string($0.name) }),
        ])
    }

    /// The active tokens whose `csm` is `email`.
    public static func scoped(to email: String, _ tokens: [APIToken], now: Int64) -> [APIToken] {
        tokens.filter { $0.csm?.lowercased() == email.lowercased() && $0.isActive(at: now) }.sorted { $0.name < $1.name }
    }
}
