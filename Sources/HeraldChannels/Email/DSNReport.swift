import Foundation
import HeraldCore

/// A delivery status notification (RFC 3464): the `multipart/report; report-type=delivery-status`
/// email a mail server sends to the bounce address when a message it accepted could not be
/// delivered later — what a relay in front of Herald reports after its `250`. Parsed from the raw
/// message: the per-recipient fields of the `message/delivery-status` part, and the `Message-ID`
/// of the returned message (`text/rfc822-headers` or `message/rfc822`), which names the delivery
/// (`<dlv_…@message_id_domain>`).
public struct DSNReport: Sendable, Equatable {
    public struct Recipient: Sendable, Equatable {
        /// The address the report is about (`Final-Recipient: rfc822; …`).
        public var address: String
        /// The address as Herald gave it, when the server kept it (`Original-Recipient`).
        public var originalAddress: String?
        /// `failed`, `delayed`, `delivered`, `relayed` or `expanded`.
        public var action: String
        /// The enhanced status code (`5.1.1`).
        public var status: String
        /// The remote server's own reply, when given (`smtp; 550 5.1.1 …`).
        public var diagnostic: String?

        /// A permanent failure (a 4.x.x or a delay is not): the delivery failed.
        public var isPermanentFailure: Bool { action == "failed" && status.hasPrefix("5.") }

        /// A permanent failure because of the address itself (5.1.x, except 5.1.7 and 5.1.8, which
        /// are about the sender): it is suppressed, as a `550` during the send is. Other 5.x.x (a
        /// full mailbox, a spam filter, a size limit) fail the delivery without suppressing.
        public var refusesAddress: Bool {
            isPermanentFailure && status.hasPrefix("5.1.") && status != "5.1.7" && status != "5.1.8"
        }

        /// What the delivery's event and the suppression entry say.
        public var detail: String {
            "DSN \(action) \(status)" + (diagnostic.map { ": " + $0 } ?? "")
        }
    }

    public var recipients: [Recipient]
    /// The delivery the returned message was, from its `Message-ID`; nil when the server returned no
    /// headers or the message was not Herald's.
    public var deliveryID: String?
    /// Who reported (`Reporting-MTA`).
    public var reportingMTA: String?

    /// Parses `raw` (an RFC 5322 message, CRLF or LF); nil when it is not a delivery status report
    /// (an auto-reply, a plain-text bounce of an old server, anything else).
    public static func parse(_ raw: [UInt8]) -> DSNReport? {
        let text = String(decoding: raw, as: UTF8.self)
        guard let report = MIMEPart(text).find(where: { $0.contentType == "message/delivery-status" }) else { return nil }
        let groups = MIMEPart.fieldGroups(report.decodedBody)
        guard let perMessage = groups.first else { return nil }
        var recipients: [Recipient] = []
        for group in groups.dropFirst() {
            guard let final = group["final-recipient"].map(Self.address), let action = group["action"]?.lowercased(),
                let status = group["status"]
            else { continue }
            // Anyone can mail the bounce address: what the report says is shown in events, tables
            // and logs, so it is kept to one line without control characters, the diagnostic to 500.
            recipients.append(Recipient(
                address: DisplayText.line(final), originalAddress: group["original-recipient"].map { DisplayText.line(Self.address($0)) },
                action: DisplayText.line(action, limit: 20), status: DisplayText.line(String(status.prefix { !$0.isWhitespace }), limit: 20),
                diagnostic: group["diagnostic-code"].map { DisplayText.line($0, limit: 500) }))
        }
        guard !recipients.isEmpty else { return nil }
        let returned = MIMEPart(text).find { $0.contentType == "text/rfc822-headers" || $0.contentType == "message/rfc822" }
        let messageID = returned.flatMap { MIMEPart.fieldGroups($0.decodedBody).first?["message-id"] }
        return DSNReport(
            recipients: recipients, deliveryID: messageID.flatMap(Self.deliveryID), reportingMTA: perMessage["reporting-mta"])
    }

    /// `rfc822; Li@Client.example` → `Li@Client.example` (an address type other than rfc822 is kept whole).
    static func address(_ field: String) -> String {
        guard let semicolon = field.firstIndex(of: ";"), field[..<semicolon].trimmingCharacters(in: .whitespaces).lowercased() == "rfc822"
        else { return field.trimmingCharacters(in: .whitespaces) }
        return field[field.index(after: semicolon)...].trimmingCharacters(in: .whitespaces.union(CharacterSet(charactersIn: "<>")))
    }

    /// `<dlv_01…@mail.acme.example>` → `dlv_01…`, when it is a delivery id.
    static func deliveryID(_ messageID: String) -> String? {
        let trimmed = messageID.trimmingCharacters(in: .whitespaces.union(CharacterSet(charactersIn: "<>")))
        guard let at = trimmed.firstIndex(of: "@") else { return nil }
        let id = String(trimmed[..<at])
        return HeraldID.isValid(id, kind: .delivery) ? id : nil
    }
}

/// Just enough MIME to read a report: headers (unfolded, names lower-cased), the content type, the
/// parts of a multipart body, and base64 or quoted-printable bodies decoded.
struct MIMEPart {
    var headers: [String: String]
    var body: String

    init(_ text: String) {
        let normalized = text.replacingOccurrences(of: "\r\n", with: "\n")
        let split = normalized.range(of: "\n\n")
        let head = split.map { String(normalized[..<$0.lowerBound]) } ?? normalized
        body = split.map { String(normalized[$0.upperBound...]) } ?? ""
        headers = Self.fieldGroups(head).first ?? [:]
    }

    /// The media type, lower-cased, without parameters (`text/plain` when absent, as RFC 2045 says).
    var contentType: String {
        guard let value = headers["content-type"] else { return "text/plain" }
        return value.split(separator: ";", maxSplits: 1).first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
    }

    /// A parameter of the content type (`boundary`), unquoted.
    func parameter(_ name: String) -> String? {
        guard let value = headers["content-type"] else { return nil }
        for piece in value.split(separator: ";").dropFirst() {
            let pair = piece.split(separator: "=", maxSplits: 1)
            guard pair.count == 2, pair[0].trimmingCharacters(in: .whitespaces).lowercased() == name else { continue }
            return pair[1].trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        }
        return nil
    }

    /// The parts of a multipart body (none for a leaf).
    var parts: [MIMEPart] {
        guard contentType.hasPrefix("multipart/"), let boundary = parameter("boundary"), !boundary.isEmpty else { return [] }
        var parts: [MIMEPart] = []
        var current: [Substring]? = nil
        for line in body.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.hasSuffix(" ") || line.hasSuffix("\t") ? Substring(line.trimmingCharacters(in: .whitespaces)) : line
            if trimmed == "--" + boundary || trimmed == "--" + boundary + "--" {
                if let lines = current { parts.append(MIMEPart(lines.joined(separator: "\n"))) }
                current = trimmed.hasSuffix(boundary + "--") ? nil : []
            } else if current != nil {
                current?.append(line)
            }
        }
        return parts
    }

    /// This part or the first part below it (depth first, at most `depth` levels down: reports nest
    /// two, and a hostile message must not nest its way to a stack overflow) that matches.
    func find(depth: Int = 8, where matches: (MIMEPart) -> Bool) -> MIMEPart? {
        if matches(self) { return self }
        guard depth > 0 else { return nil }
        for part in parts {
            if let found = part.find(depth: depth - 1, where: matches) { return found }
        }
        return nil
    }

    /// The body with its transfer encoding undone.
    var decodedBody: String {
        switch headers["content-transfer-encoding"]?.lowercased() {
        case "base64"?:
            return Data(base64Encoded: body.filter { !$0.isWhitespace }).map { String(decoding: $0, as: UTF8.self) } ?? body
        case "quoted-printable"?:
            return Self.unquote(body)
        default:
            return body
        }
    }

    /// Header-style fields in blank-line-separated groups (a header block is one group; the
    /// `message/delivery-status` body is one per-message group and one per recipient). Continuation
    /// lines are unfolded; names are lower-cased; the first of a repeated field wins.
    static func fieldGroups(_ text: String) -> [[String: String]] {
        var groups: [[String: String]] = []
        var fields: [String: String] = [:]
        var last: String? = nil
        for line in text.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false) {
            if line.trimmingCharacters(in: .whitespaces).isEmpty {
                if !fields.isEmpty { groups.append(fields) }
                fields = [:]
                last = nil
            } else if line.first == " " || line.first == "\t", let name = last {
                fields[name, default: ""] += " " + line.trimmingCharacters(in: .whitespaces)
            } else if let colon = line.firstIndex(of: ":") {
                let name = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
                last = fields[name] == nil ? name : nil
                if fields[name] == nil { fields[name] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces) }
            }
        }
        if !fields.isEmpty { groups.append(fields) }
        return groups
    }

    /// Quoted-printable (RFC 2045) decoded as UTF-8.
    static func unquote(_ text: String) -> String {
        var bytes: [UInt8] = []
        let source = Array(text.utf8)
        var i = 0
        while i < source.count {
            if source[i] == UInt8(ascii: "="), i + 1 < source.count {
                if source[i + 1] == UInt8(ascii: "\n") {
                    i += 2
                    continue
                }
                if i + 2 < source.count, let byte = UInt8(String(decoding: source[(i + 1)...(i + 2)], as: UTF8.self), radix: 16) {
                    bytes.append(byte)
                    i += 3
                    continue
                }
            }
            bytes.append(source[i])
            i += 1
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
