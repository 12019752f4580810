import Foundation
import HeraldChannels
import HeraldCore

/// JSON of subscriptions and their notices (API and `herald subscriptions --json`). Secrets appear
/// only in the answer to the request that created them.
public enum SubscriptionJSON {
    public static func subscription(_ s: Subscription, counts: NoticeCounts?, secret: Bool = false) -> JSONValue {
        var fields: [String: JSONValue] = [
            "id": .string(s.id), "name": .string(s.name), "url": .string(s.url), "source": .string(s.source.rawValue),
            "types": .array(s.topics.map(\.rawValue).sorted().map(JSONValue.string)),
            "created_at": s.source == .api ? RecordJSON.time(s.createdAt) : .null,
        ]
        if let counts {
            fields["notices"] = .object([
                "pending": .int(Int64(counts.pending)), "delivered": .int(Int64(counts.delivered)), "dead": .int(Int64(counts.dead)),
            ])
        }
        if secret { fields["secret"] = .string(s.secret) }
        return .object(fields)
    }

    public static func notice(_ n: EventNotice) -> JSONValue {
        .object([
            "id": .string(n.id), "type": .string(n.topic.rawValue), "event_id": .string(n.eventID),
            "delivery_id": .string(n.deliveryID), "sequence": .int(Int64(n.sequence)), "state": .string(n.state.rawValue),
            "attempts": .int(Int64(n.attempts)), "last_error": RecordJSON.optional(n.lastError),
            "created_at": RecordJSON.time(n.createdAt), "updated_at": RecordJSON.time(n.updatedAt),
            "payload": (try? JSONValue.parse(Array(n.payload.utf8))) ?? .string(n.payload),
        ])
    }

    /// Reads a new subscription: `{"name", "url", "types"?, "secret"?}` (a secret is made when none is given).
    public static func request(_ body: JSONValue, settings: EventSettings) throws -> Subscription {
        var reader = try FieldReader(body: body)
        reader.rejectUnknown(["name", "url", "types", "secret"])
        let name = reader.string("name", maxLength: 64, pattern: MessageRequestParser.isTemplateName)
        if name == nil && reader.problems.allSatisfy({ $0.name != "name" }) { reader.fail("name", "required: a-z, 0-9, '-' and '_'") }
        let url = reader.string("url", maxLength: 2_048)
        if let url {
            if let problem = DestinationRules.urlProblem(url) {
                reader.fail("url", problem)
            } else if !settings.allowPrivateNetworks, Self.namesPrivateHost(url) {
                reader.fail("url", "points at a loopback or private address; set [events] allow_private_networks = true to allow")
            }
        } else if reader.problems.allSatisfy({ $0.name != "url" }) {
            reader.fail("url", "required: where events are posted")
        }
        var topics = Set(EventTopic.allCases)
        switch reader.object["types"] {
        case nil, .null?: break
        case .array(let items)?:
            let parsed = items.compactMap { item -> EventTopic? in
                if case .string(let s) = item { return EventTopic(rawValue: s) }
                return nil
            }
            if parsed.count != items.count || parsed.isEmpty {
                reader.fail("types", "must list event types: " + EventTopic.allCases.map(\.rawValue).joined(separator: ", "))
            }
            topics = Set(parsed)
        default: reader.fail("types", "must be an array of event types")
        }
        let secret = reader.string("secret", maxLength: 200) ?? WebhookSigner.generateSecret()
        if reader.object["secret"] != nil, (try? WebhookSigner(secret: secret)) == nil {
            reader.fail("secret", "must be whsec_ followed by base64 of 16–64 random bytes (or leave it out to get one)")
        }
        try reader.check()
        return Subscription(
            id: HeraldID.make(.subscription), name: name ?? "", url: url ?? "", topics: topics, secret: secret, source: .api,
            allowPrivateNetworks: settings.allowPrivateNetworks, createdAt: Timestamps.now())
    }

    /// Whether the URL's host is `localhost` or a loopback/private IP literal (names that resolve
    /// to one are refused when connecting).
    static func namesPrivateHost(_ url: String) -> Bool {
        guard let host = URLComponents(string: url)?.host?.lowercased() else { return false }
        let bare = host.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        if bare == "localhost" || bare.hasSuffix(".localhost") { return true }
        if bare.contains(":") || bare.allSatisfy({ $0.isNumber || $0 == "." }) { return !AddressPolicy.isPublic(bare) }
        return false
    }
}
