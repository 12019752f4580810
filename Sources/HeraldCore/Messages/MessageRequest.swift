import Crypto
import Foundation

/// One step of a fallback chain: a channel and the address on it.
public struct FallbackStep: Sendable, Equatable, Codable {
    public var channel: String
    public var destination: String
    /// The quiet window of the message's client, for a non-urgent message: a failure inside it
    /// queues this step for its end, as the message itself would have been held.
    public var quiet: QuietWindow?

    public init(channel: String, destination: String, quiet: QuietWindow? = nil) {
        self.channel = channel
        self.destination = destination
        self.quiet = quiet
    }

    /// When this step may go if the delivery before it gives up at `at`: the end of the quiet
    /// window when `at` falls inside it, else `at`.
    public func release(at: Int64) -> Int64 { quiet?.release(at: at) ?? at }

    /// A chain as stored with a delivery: `[{"channel":…,"destination":…}, …]`, with
    /// `quiet_hours` and `timezone` when the step keeps quiet hours.
    public static func encode(_ steps: [FallbackStep]) -> String? {
        steps.isEmpty ? nil : JSONValue.array(steps.map { step in
            var object: [String: JSONValue] = ["channel": .string(step.channel), "destination": .string(step.destination)]
            if let quiet = step.quiet {
                object["quiet_hours"] = .string(quiet.hours.description)
                object["timezone"] = .string(quiet.timezone.identifier)
            }
            return .object(object)
        }).canonicalText
    }

    public static func decode(_ text: String?) -> [FallbackStep] {
        guard let text, case .array(let items)? = try? JSONValue.parse(Array(text.utf8)) else { return [] }
        return items.compactMap { item in
            guard case .object(let o) = item, case .string(let c)? = o["channel"], case .string(let d)? = o["destination"] else {
                return nil
            }
            var step = FallbackStep(channel: c, destination: d)
            if case .string(let text)? = o["quiet_hours"], let hours = QuietHours(parsing: text) {
                var zone: String? = nil
                if case .string(let name)? = o["timezone"] { zone = name }
                step.quiet = QuietWindow(hours: hours, timezone: .named(zone))
            }
            return step
        }
    }
}

/// An escalation timer planned at enqueue: at `dueAt`, unless a delivery of the message reached
/// `unless`, deliver it through `channel` to `destination`.
public struct PlannedEscalation: Sendable, Equatable {
    public var dueAt: Int64
    public var unless: DeliveryState
    public var channel: String
    public var destination: String

    public init(dueAt: Int64, unless: DeliveryState, channel: String, destination: String) {
        self.dueAt = dueAt
        self.unless = unless
        self.channel = channel
        self.destination = destination
    }
}

/// A validated request to send one message: what the API and `herald send` accept.
/// Build it with ``MessageRequestParser``; every field here has passed validation.
public struct MessageRequest: Sendable, Equatable {
    /// How urgent: claims are ordered by due time; quiet hours (tiers) let `urgent` through.
    public enum Priority: String, Sendable, Codable, CaseIterable {
        case low, normal, high, urgent
    }

    /// Whether unsubscribes apply: `marketing` honours them, `transactional` does not.
    public enum Category: String, Sendable, Codable, CaseIterable {
        case transactional, marketing
    }

    /// One channel and one address on it.
    public struct Destination: Sendable, Equatable, Codable {
        public var channel: String
        public var address: String
        /// Set by routing when this destination is recorded but not sent to (an opt-out).
        public var suppressedReason: String?
        /// Set by routing: where to go next, in order, if this destination fails permanently.
        public var fallback: [FallbackStep]
        public init(channel: String, address: String, suppressedReason: String? = nil, fallback: [FallbackStep] = []) {
            self.channel = channel
            self.address = address
            self.suppressedReason = suppressedReason
            self.fallback = fallback
        }
    }

    public var idempotencyKey: String?
    public var clientID: String?
    public var template: String?
    public var subject: String?
    public var text: String?
    public var html: String?
    /// Template data: always a JSON object.
    public var data: JSONValue {
        didSet { canonicalData = DerivedText() }
    }
    /// `data` as canonical JSON, when the parser already wrote it (to check its size): the store
    /// keeps this text, and writing it twice was 2–3 % of a batch enqueue's CPU.
    private var canonicalData = DerivedText()
    public var destinations: [Destination]
    /// The `channels` field: with `to`, a filter of it; with `client_id` alone, an override of the tier's channels.
    public var channels: [String]?
    /// Whom robot messages @-mention (see ``Mentions``); `csm`/`contacts` are expanded by routing.
    public var mentions: [String] = []
    /// Set by routing: the client's CSM, as the `Reply-To` of emails.
    public var replyTo: String?
    /// Set by routing: false when the client's tier turns tracking off.
    public var tracking = true
    /// Set when the message names a registered client: its tier when the message was accepted, so
    /// template stats count a message under the tier it went out under, not the client's tier today.
    public var tier: String?
    /// Set by routing: a timer that sends the message on another channel unless it was engaged with.
    public var escalation: PlannedEscalation?
    /// Set by routing: what was considered and left out (no email on file, no endpoint…), recorded as events.
    public var skipped: [String] = []
    public var locale: String?
    /// Earliest send time, epoch milliseconds.
    public var sendAt: Int64?
    /// After this (epoch milliseconds) an unsent delivery becomes `expired`.
    public var expiresAt: Int64?
    public var priority: Priority
    public var category: Category

    public init(
        idempotencyKey: String? = nil,
        clientID: String? = nil,
        template: String? = nil,
        subject: String? = nil,
        text: String? = nil,
        html: String? = nil,
        data: JSONValue = .object([:]),
        destinations: [Destination] = [],
        locale: String? = nil,
        sendAt: Int64? = nil,
        expiresAt: Int64? = nil,
        priority: Priority = .normal,
        category: Category = .transactional
    ) {
        self.idempotencyKey = idempotencyKey
        self.clientID = clientID
        self.template = template
        self.subject = subject
        self.text = text
        self.html = html
        self.data = data
        self.destinations = destinations
        self.locale = locale
        self.sendAt = sendAt
        self.expiresAt = expiresAt
        self.priority = priority
        self.category = category
    }

    /// `data` as canonical JSON text (what the store keeps).
    public var dataText: String { canonicalData.text ?? data.canonicalText }

    /// Sets `data` together with its canonical text, computed by the caller from that same value.
    mutating func setData(_ value: JSONValue, canonicalText: String) {
        data = value
        canonicalData = DerivedText(text: canonicalText)
    }

    /// SHA-256 (hex) of everything but the idempotency key: a repeat with the same key and the
    /// same fingerprint is the same request; a different fingerprint is a 409.
    public var fingerprint: String {
        var fields: [String: JSONValue] = [
            "data": data,
            "priority": .string(priority.rawValue),
            "category": .string(category.rawValue),
            "to": .array(destinations.map { .array([.string($0.channel), .string($0.address)]) }),
        ]
        if let clientID { fields["client_id"] = .string(clientID) }
        if let template { fields["template"] = .string(template) }
        if let subject { fields["subject"] = .string(subject) }
        if let text { fields["text"] = .string(text) }
        if let html { fields["html"] = .string(html) }
        if let locale { fields["locale"] = .string(locale) }
        if let channels { fields["channels"] = .array(channels.map(JSONValue.string)) }
        if !mentions.isEmpty { fields["mentions"] = .array(mentions.map(JSONValue.string)) }
        if let sendAt { fields["send_at"] = .int(sendAt) }
        if let expiresAt { fields["expires_at"] = .int(expiresAt) }
        return ByteEncoding.hex(SHA256.hash(data: Data(JSONValue.object(fields).canonicalText.utf8)))
    }
}

/// Text derived from other fields and kept only to save work: never part of equality.
struct DerivedText: Sendable, Equatable {
    var text: String? = nil
    static func == (_: DerivedText, _: DerivedText) -> Bool { true }
}
