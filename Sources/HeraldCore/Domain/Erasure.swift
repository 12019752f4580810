import Foundation

/// Erasing a person from Herald's history (a data-subject request under GDPR or PIPL): what is
/// asked, and what was (or, in a dry run, would be) erased.
///
/// A person is their addresses: email addresses (any case) and E.164 phone numbers. Erasing them
/// replaces every delivery's destination that is one of them with ``marker``, blanks the content
/// (subject, text, HTML, data) of the messages sent to them, redacts attempt errors, event details,
/// call tasks, escalations and event notices that name them, and removes the contacts that hold
/// them. The rest of each message's history — states, times, other recipients — stays, so counts
/// and template statistics still add up. An entry of the suppression list is kept: it is what
/// stops Herald writing to the address again (``Erasure/Result/stillSuppressed`` names them).
public enum Erasure {
    /// What replaces an erased value.
    public static let marker = "(erased)"

    /// The most addresses one request erases.
    public static let maximumAddresses = 20

    public struct Request: Sendable, Equatable {
        /// The addresses as given, checked: email addresses lower-cased, phone numbers as they are.
        public var addresses: [String]
        public var reason: String?
        public var dryRun: Bool
        public var actor: String
        public var now: Int64

        public init(addresses: [String], reason: String? = nil, dryRun: Bool = false, actor: String, now: Int64) {
            self.addresses = addresses
            self.reason = reason
            self.dryRun = dryRun
            self.actor = actor
            self.now = now
        }

        /// Checks each address (an email address or an E.164 number) and the reason.
        /// - Throws: ``HeraldError/invalid(_:)`` naming `addresses[i]` or `reason`.
        public static func parse(addresses: [String], reason: String?, dryRun: Bool, actor: String, now: Int64) throws -> Request {
            var problems: [HeraldError.FieldProblem] = []
            if addresses.isEmpty { problems.append(.init(name: "addresses", reason: "required: the person's email addresses and phone numbers")) }
            if addresses.count > maximumAddresses {
                problems.append(.init(name: "addresses", reason: "at most \(maximumAddresses) addresses"))
            }
            var checked: [String] = []
            for (i, address) in addresses.enumerated() {
                let trimmed = address.trimmingCharacters(in: .whitespaces)
                if trimmed.hasPrefix("+") {
                    if let problem = DestinationRules.phoneProblem(trimmed) { problems.append(.init(name: "addresses[\(i)]", reason: problem)) }
                    checked.append(trimmed)
                } else if let problem = DestinationRules.emailProblem(trimmed) {
                    problems.append(.init(name: "addresses[\(i)]", reason: problem))
                } else {
                    checked.append(trimmed.lowercased())
                }
            }
            var why: String? = nil
            do { why = try AuditEntry.reason(reason) } catch let error as HeraldError { problems += error.fields }
            if !problems.isEmpty { throw HeraldError.invalid(problems) }
            var unique: [String] = []
            for a in checked where !unique.contains(a) { unique.append(a) }
            return Request(addresses: unique, reason: why, dryRun: dryRun, actor: actor, now: now)
        }
    }

    /// How much was erased.
    public struct Result: Sendable, Equatable {
        public var deliveries = 0
        public var messages = 0
        public var contacts = 0
        public var tasks = 0
        public var escalations = 0
        public var notices = 0
        /// Clients one of whose contacts was removed (for caches to forget).
        public var clientIDs: [String] = []
        /// The addresses the suppression list still holds (kept on purpose: see ``Erasure``).
        public var stillSuppressed: [String] = []

        public init() {}

        /// The counts in a sentence, for the audit log and the CLI.
        public var summary: String {
            [
                AuditEntry.count(deliveries, "delivery", plural: "deliveries"), AuditEntry.count(messages, "message"),
                AuditEntry.count(contacts, "contact"), AuditEntry.count(tasks, "call task"),
                AuditEntry.count(escalations, "escalation"), AuditEntry.count(notices, "event notice"),
            ].joined(separator: ", ")
        }
    }
}

extension Erasure {
    /// Whether a message with these deliveries lost its content to an erasure: nothing of it can be
    /// sent again (a resend is refused, the dashboard offers none).
    public static func erased(_ deliveries: [Delivery]) -> Bool {
        deliveries.contains { $0.destination == marker }
    }

    /// The detail of the `cancelled` events of what an erasure stopped.
    public static let cancelReason = "the recipient's data was erased"

    /// The forms an address takes in texts: as given, and a phone number without its `+` (as some
    /// providers' errors write it).
    public static func variants(_ addresses: [String]) -> [String] {
        var all = addresses
        for a in addresses where a.hasPrefix("+") && a.count > 7 { all.append(String(a.dropFirst())) }
        return all
    }

    /// `text` with every occurrence of `variants` (any case) replaced by ``marker``; nil when it
    /// names none of them.
    public static func redact(_ text: String, _ variants: [String]) -> String? {
        var out = text
        for v in variants where !v.isEmpty {
            out = out.replacingOccurrences(of: v, with: marker, options: .caseInsensitive)
        }
        return out == text ? nil : out
    }
}
