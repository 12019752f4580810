import Foundation

/// The JSON shape of clients in the API and the database, and its strict parser.
public enum ClientJSON {
    public static func csm(_ c: CSM) -> JSONValue {
        var fields: [String: JSONValue] = ["name": .string(c.name)]
        if let v = c.email { fields["email"] = .string(v) }
        if let v = c.phone { fields["phone"] = .string(v) }
        if let v = c.wecomUserID { fields["wecom_user_id"] = .string(v) }
        if let v = c.dingtalkUserID { fields["dingtalk_user_id"] = .string(v) }
        return .object(fields)
    }

    public static func csm(from value: JSONValue) -> CSM? {
        guard case .object(let o) = value, case .string(let name)? = o["name"] else { return nil }
        func s(_ k: String) -> String? { if case .string(let v)? = o[k] { v } else { nil } }
        return CSM(name: name, email: s("email"), phone: s("phone"), wecomUserID: s("wecom_user_id"), dingtalkUserID: s("dingtalk_user_id"))
    }

    public static func client(_ c: Client) -> JSONValue {
        func opt(_ v: String?) -> JSONValue { v.map(JSONValue.string) ?? .null }
        return .object([
            "id": .string(c.id), "name": .string(c.name), "tier": .string(c.tier), "timezone": opt(c.timezone),
            "locale": opt(c.locale), "lifecycle_stage": opt(c.lifecycleStage), "csm": c.csm.map(csm) ?? .null,
            "contacts": .array(c.contacts.map { p in
                .object([
                    "id": .string(p.id), "name": opt(p.name), "email": opt(p.email), "phone": opt(p.phone),
                    "locale": opt(p.locale), "opt_outs": .array(p.optOuts.map(\.rawValue).sorted().map(JSONValue.string)),
                ])
            }),
            "endpoints": .object(c.endpoints.mapValues { .string(DestinationRules.redacted($0)) }),
            "created_at": .string(Timestamps.format(c.createdAt)), "updated_at": .string(Timestamps.format(c.updatedAt)),
        ])
    }

    /// A client with its activity (`GET /v1/clients?order=attention`, `herald clients list --attention --json`).
    public static func client(_ c: Client, activity a: ClientActivity) -> JSONValue {
        guard case .object(var o) = client(c) else { return client(c) }
        o["activity"] = .object([
            "last_contact_at": a.lastContactAt.map { .string(Timestamps.format($0)) } ?? .null,
            "messages": .int(Int64(a.messages)), "unopened": .int(Int64(a.unopened)),
            "unopened_important": .int(Int64(a.unopenedImportant)),
        ])
        return .object(o)
    }

    /// Reads a CSM object (`path` prefixes the names of its fields in problems, which go to
    /// `reader`): `name` required, `email`, `phone`, `wecom_user_id`, `dingtalk_user_id`.
    static func readCSM(_ c: [String: JSONValue], path: String, into reader: inout FieldReader) -> CSM? {
        var r = FieldReader(object: c, path: path)
        for key in c.keys.sorted() where !["name", "email", "phone", "wecom_user_id", "dingtalk_user_id"].contains(key) {
            r.fail(key, "unknown field")
        }
        let csmName = r.string("name", maxLength: 200, singleLine: true)
        if csmName == nil && c["name"] == nil { r.fail("name", "required") }
        let email = r.string("email", maxLength: 254)
        if let email, let problem = DestinationRules.emailProblem(email) { r.fail("email", problem) }
        let phone = r.string("phone", maxLength: 16)
        if let phone, let problem = DestinationRules.phoneProblem(phone) { r.fail("phone", problem) }
        let wecom = r.string("wecom_user_id", maxLength: 64, printableASCII: true)
        let dingtalk = r.string("dingtalk_user_id", maxLength: 64, printableASCII: true)
        reader.problems += r.problems
        return csmName.map { CSM(name: $0, email: email, phone: phone, wecomUserID: wecom, dingtalkUserID: dingtalk) }
    }

    /// Parses a `PUT /v1/clients/{id}` body, naming every offending field.
    public static func parse(
        _ json: JSONValue, id: String, tiers: [String: TierPlan], channels: [String: ChannelKind], now: Int64
    ) throws(HeraldError) -> Client {
        guard case .object(let o) = json else { throw .invalid(field: "(body)", "must be a JSON object") }
        var reader = FieldReader(object: o, path: "")
        let known: Set<String> = ["name", "tier", "timezone", "locale", "lifecycle_stage", "csm", "contacts", "endpoints"]
        for key in o.keys.sorted() where !known.contains(key) { reader.fail(key, "unknown field") }
        if !(1...128).contains(id.count) || !id.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != 0x2F }) {
            reader.problems.append(.init(name: "id", reason: "client ids are 1–128 printable ASCII characters without '/'"))
        }
        let name = reader.string("name", maxLength: 200, singleLine: true)
        if name == nil && o["name"] == nil { reader.fail("name", "required") }
        let tier = reader.string("tier", maxLength: 64)
        if let tier, tiers[tier] == nil {
            reader.fail("tier", "unknown tier '\(tier)' (configured: \(tiers.keys.sorted().joined(separator: ", ")))")
        } else if tier == nil && o["tier"] == nil {
            reader.fail("tier", "required")
        }
        let timezone = reader.string("timezone", maxLength: 64)
        if let timezone, TimeZone(identifier: timezone) == nil { reader.fail("timezone", "unknown IANA time zone, e.g. Asia/Shanghai") }
        let locale = reader.string("locale", maxLength: 35, pattern: MessageRequestParser.isLocale)
        let stage = reader.string("lifecycle_stage", maxLength: 64, singleLine: true)

        var csm: CSM? = nil
        switch o["csm"] {
        case nil, .null: break
        case .object(let c): csm = readCSM(c, path: "csm.", into: &reader)
        case .some(let other): reader.fail("csm", "must be an object, not \(other.typeName)")
        }

        var contacts: [Contact] = []
        switch o["contacts"] {
        case nil, .null: break
        case .array(let items):
            if items.count > 200 { reader.fail("contacts", "more than 200 contacts") }
            for (i, item) in items.prefix(200).enumerated() {
                guard case .object(let c) = item else {
                    reader.fail("contacts[\(i)]", "must be an object")
                    continue
                }
                var r = FieldReader(object: c, path: "contacts[\(i)].")
                for key in c.keys.sorted() where !["id", "name", "email", "phone", "locale", "opt_outs"].contains(key) {
                    r.fail(key, "unknown field")
                }
                let email = r.string("email", maxLength: 254)
                if let email, let problem = DestinationRules.emailProblem(email) { r.fail("email", problem) }
                let phone = r.string("phone", maxLength: 16)
                if let phone, let problem = DestinationRules.phoneProblem(phone) { r.fail("phone", problem) }
                let contactID = r.string("id", maxLength: 128, printableASCII: true) ?? email ?? phone ?? "contact-\(i + 1)"
                var optOuts: Set<MessageRequest.Category> = []
                if case .array(let list)? = c["opt_outs"] {
                    for (j, v) in list.enumerated() {
                        if case .string(let s) = v, let cat = MessageRequest.Category(rawValue: s) { optOuts.insert(cat) } else {
                            r.fail("opt_outs[\(j)]", "must be one of: transactional, marketing")
                        }
                    }
                } else if c["opt_outs"] != nil && c["opt_outs"] != .null {
                    r.fail("opt_outs", "must be an array of categories")
                }
                let contact = Contact(
                    id: contactID, name: r.string("name", maxLength: 200, singleLine: true), email: email, phone: phone,
                    locale: r.string("locale", maxLength: 35, pattern: MessageRequestParser.isLocale), optOuts: optOuts)
                if contacts.contains(where: { $0.id == contact.id }) { r.fail("id", "duplicate contact id '\(contact.id)'") }
                reader.problems += r.problems
                contacts.append(contact)
            }
        case .some(let other): reader.fail("contacts", "must be an array, not \(other.typeName)")
        }

        var endpoints: [String: String] = [:]
        switch o["endpoints"] {
        case nil, .null: break
        case .object(let map):
            for (channel, value) in map.sorted(by: { $0.key < $1.key }) {
                guard let kind = channels[channel] else {
                    reader.fail("endpoints.\(channel)", "unknown channel '\(channel)'")
                    continue
                }
                guard case .string(let address) = value else {
                    reader.fail("endpoints.\(channel)", "must be a string")
                    continue
                }
                if let problem = kind.problem(with: address) { reader.fail("endpoints.\(channel)", problem) } else {
                    endpoints[channel] = address
                }
            }
        case .some(let other): reader.fail("endpoints", "must be an object of channel → address, not \(other.typeName)")
        }

        if !reader.problems.isEmpty { throw .invalid(reader.problems) }
        return Client(
            id: id, name: name ?? "", tier: tier ?? "", timezone: timezone, locale: locale, lifecycleStage: stage, csm: csm,
            contacts: contacts, endpoints: endpoints, createdAt: now, updatedAt: now)
    }
}
