import Foundation

/// Turns a JSON object into a ``MessageRequest``, collecting every problem with a field path
/// instead of stopping at the first, and rejecting fields it does not know.
public struct MessageRequestParser: Sendable {
    /// The configured channels by name.
    public var channels: [String: ChannelKind]
    public var limits: MessageLimits
    /// Renders templates and inline content; every request must render on each channel it uses.
    public var renderer: MessageRenderer

    static let knownFields: Set<String> = [
        "idempotency_key", "client_id", "template", "subject", "text", "html", "data", "to", "channels",
        "locale", "send_at", "expires_at", "priority", "category", "mentions",
    ]

    public init(channels: [String: ChannelKind], limits: MessageLimits = MessageLimits(), renderer: MessageRenderer = MessageRenderer()) {
        self.channels = channels
        self.limits = limits
        self.renderer = renderer
    }

    /// Parses one message.
    /// - Parameters:
    ///   - json: the request object.
    ///   - path: prefix for field names in errors (`messages[3].` inside a batch).
    ///   - idempotencyKeyHeader: the `Idempotency-Key` header, which wins over the body field
    ///     only when they agree; when both are set and differ the request is refused.
    ///   - now: current time in epoch milliseconds (for `expires_at` checks).
    public func parse(
        _ json: JSONValue,
        path: String = "",
        idempotencyKeyHeader: String? = nil,
        now: Int64
    ) throws(HeraldError) -> MessageRequest {
        guard case .object(let object) = json else {
            throw .invalid(field: path.isEmpty ? "(body)" : String(path.dropLast()), "must be a JSON object")
        }
        var reader = FieldReader(object: object, path: path)
        var request = MessageRequest()

        for key in object.keys.sorted() where !Self.knownFields.contains(key) {
            reader.fail(key, "unknown field")
        }

        let bodyKey = reader.string("idempotency_key", maxLength: 255, printableASCII: true)
        if let header = idempotencyKeyHeader {
            if let bodyKey, bodyKey != header {
                reader.fail("idempotency_key", "differs from the Idempotency-Key header")
            }
            if header.isEmpty || header.utf8.count > 255 || !header.utf8.allSatisfy({ $0 >= 0x21 && $0 <= 0x7E }) {
                reader.problems.append(.init(name: "Idempotency-Key", reason: "must be 1–255 printable ASCII characters"))
            }
            request.idempotencyKey = header
        } else {
            request.idempotencyKey = bodyKey
        }
        request.clientID = reader.string("client_id", maxLength: 128, printableASCII: true)
        request.template = reader.string("template", maxLength: 64, pattern: Self.isTemplateName)
        request.subject = reader.string("subject", maxLength: limits.maximumSubjectLength, singleLine: true)
        request.text = reader.string("text", maxBytes: limits.maximumContentBytes)
        request.html = reader.string("html", maxBytes: limits.maximumContentBytes)
        request.locale = reader.string("locale", maxLength: 35, pattern: Self.isLocale)
        request.sendAt = reader.timestamp("send_at")
        request.expiresAt = reader.timestamp("expires_at")
        if let p = reader.enumeration("priority", MessageRequest.Priority.self) { request.priority = p }
        if let c = reader.enumeration("category", MessageRequest.Category.self) { request.category = c }

        switch object["data"] {
        case nil, .null: break
        case .object(let fields):
            let text = JSONValue.object(fields).canonicalText
            if text.utf8.count > limits.maximumDataBytes {
                reader.fail("data", "larger than \(limits.maximumDataBytes) bytes")
            } else {
                request.setData(.object(fields), canonicalText: text)
            }
        case .some(let other): reader.fail("data", "must be an object, not \(other.typeName)")
        }

        switch object["mentions"] {
        case nil, .null: break
        case .array(let items):
            if items.count > Mentions.maximum { reader.fail("mentions", "more than \(Mentions.maximum) entries") }
            for (i, item) in items.enumerated() {
                guard case .string(let entry) = item else {
                    reader.fail("mentions[\(i)]", "must be a string")
                    continue
                }
                if let problem = Mentions.problem(entry) {
                    reader.fail("mentions[\(i)]", problem)
                } else if (entry == "csm" || entry == "contacts") && request.clientID == nil {
                    reader.fail("mentions[\(i)]", "'\(entry)' needs a client_id to know who that is")
                } else if !request.mentions.contains(entry) {
                    request.mentions.append(entry)
                }
            }
        case .some(let other): reader.fail("mentions", "must be an array of strings, not \(other.typeName)")
        }

        if request.template == nil && request.subject == nil && request.text == nil && request.html == nil {
            reader.fail("template", "give a template, or inline subject/text/html")
        }
        if let sendAt = request.sendAt, let expiresAt = request.expiresAt, expiresAt <= sendAt {
            reader.fail("expires_at", "must be after send_at")
        } else if let expiresAt = request.expiresAt, expiresAt <= now {
            reader.fail("expires_at", "is already in the past")
        }

        request.destinations = destinations(object, reader: &reader, clientID: request.clientID)
        if case .array(let items)? = object["channels"] {
            request.channels = items.compactMap { if case .string(let s) = $0 { s } else { nil } }
        }

        if !reader.problems.isEmpty { throw .invalid(reader.problems) }
        // Routing by client fills the destinations later; rendering is checked then.
        if request.destinations.isEmpty && request.clientID != nil { return request }
        try checkRendering(request, path: path)
        return request
    }

    /// Every channel kind the message goes to must render it (template present, data complete).
    public func checkRendering(_ request: MessageRequest, path: String = "") throws(HeraldError) {
        // Inline content must render with the data given: fail now, not at delivery time.
        var kinds: [ChannelKind] = []
        for destination in request.destinations {
            if let kind = channels[destination.channel], !kinds.contains(kind) { kinds.append(kind) }
        }
        if kinds.isEmpty { kinds = [.webhook] }
        for kind in kinds {
            do {
                try renderer.check(
                    template: request.template, subject: request.subject, text: request.text, html: request.html,
                    data: request.data, locale: request.locale, channel: kind)
            } catch {
                throw .invalid(error.fields.map { .init(name: path + $0.name, reason: $0.reason) })
            }
        }
    }

    private func destinations(
        _ object: [String: JSONValue], reader: inout FieldReader, clientID: String?
    ) -> [MessageRequest.Destination] {
        var selected: [String]? = nil
        switch object["channels"] {
        case nil, .null: break
        case .array(let items):
            var names: [String] = []
            for (i, item) in items.enumerated() {
                guard case .string(let name) = item else {
                    reader.fail("channels[\(i)]", "must be a string")
                    continue
                }
                if channels[name] == nil {
                    reader.fail("channels[\(i)]", "unknown channel '\(name)' (configured: \(configuredList))")
                } else if !names.contains(name) {
                    names.append(name)
                }
            }
            if items.isEmpty { reader.fail("channels", "must name at least one channel") }
            selected = names
        case .some(let other): reader.fail("channels", "must be an array of channel names, not \(other.typeName)")
        }

        var result: [MessageRequest.Destination] = []
        switch object["to"] {
        case nil, .null:
            if clientID == nil {
                reader.fail("to", "required: an object of channel → address, or a client_id to route by the client's tier")
            }
        case .object(let map):
            if map.isEmpty { reader.fail("to", "must name at least one channel") }
            for name in map.keys.sorted() {
                guard let kind = channels[name] else {
                    reader.fail("to.\(name)", "unknown channel '\(name)' (configured: \(configuredList))")
                    continue
                }
                if let selected, !selected.contains(name) { continue }
                let addresses: [String]
                switch map[name] {
                case .string(let address): addresses = [address]
                case .array(let items):
                    var list: [String] = []
                    for (i, item) in items.enumerated() {
                        if case .string(let a) = item { list.append(a) } else {
                            reader.fail("to.\(name)[\(i)]", "must be a string")
                        }
                    }
                    if items.isEmpty { reader.fail("to.\(name)", "must not be empty") }
                    addresses = list
                default:
                    reader.fail("to.\(name)", "must be an address or an array of addresses")
                    addresses = []
                }
                let single: Bool = if case .string = map[name] { true } else { false }
                for (i, address) in addresses.enumerated() {
                    if let problem = kind.problem(with: address) {
                        reader.fail(single ? "to.\(name)" : "to.\(name)[\(i)]", problem)
                    } else if !result.contains(.init(channel: name, address: address)) {
                        result.append(.init(channel: name, address: address))
                    }
                }
            }
            if let selected {
                for name in selected where map[name] == nil {
                    reader.fail("to.\(name)", "channel '\(name)' is selected but has no address")
                }
            }
        case .some(let other): reader.fail("to", "must be an object of channel → address, not \(other.typeName)")
        }
        if result.count > limits.maximumDestinations {
            reader.fail("to", "more than \(limits.maximumDestinations) destinations")
        }
        return result
    }

    private var configuredList: String {
        channels.isEmpty ? "none" : channels.keys.sorted().joined(separator: ", ")
    }

    public static func isTemplateName(_ s: String) -> Bool {
        !s.isEmpty && s.utf8.allSatisfy { c in
            (c >= 0x61 && c <= 0x7A) || (c >= 0x30 && c <= 0x39) || c == 0x2D || c == 0x5F
        }
    }

    public static func isLocale(_ s: String) -> Bool {
        let parts = s.split(separator: "-", omittingEmptySubsequences: false)
        return !parts.isEmpty && parts.allSatisfy { part in
            (1...8).contains(part.count) && part.utf8.allSatisfy { c in
                (c >= 0x61 && c <= 0x7A) || (c >= 0x41 && c <= 0x5A) || (c >= 0x30 && c <= 0x39)
            }
        }
    }
}
