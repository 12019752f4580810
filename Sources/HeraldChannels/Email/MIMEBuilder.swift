import Foundation
import HeraldCore

/// One email to render: addresses, subject, text and/or HTML, and extra headers.
public struct EmailMessage: Sendable, Equatable {
    public var from: EmailAddress
    public var to: [EmailAddress]
    public var replyTo: EmailAddress?
    public var subject: String
    public var text: String?
    public var html: String?
    /// Without angle brackets, e.g. `dlv_01J…@mail.acme.example`.
    public var messageID: String
    /// Epoch milliseconds for the `Date:` header.
    public var date: Int64
    /// Additional headers (`List-Unsubscribe`, …), values already in wire form.
    public var extraHeaders: [(String, String)]

    public init(
        from: EmailAddress, to: [EmailAddress], replyTo: EmailAddress? = nil, subject: String, text: String?,
        html: String?, messageID: String, date: Int64, extraHeaders: [(String, String)] = []
    ) {
        self.from = from
        self.to = to
        self.replyTo = replyTo
        self.subject = subject
        self.text = text
        self.html = html
        self.messageID = messageID
        self.date = date
        self.extraHeaders = extraHeaders
    }

    public static func == (lhs: EmailMessage, rhs: EmailMessage) -> Bool {
        lhs.from == rhs.from && lhs.to == rhs.to && lhs.replyTo == rhs.replyTo && lhs.subject == rhs.subject
            && lhs.text == rhs.text && lhs.html == rhs.html && lhs.messageID == rhs.messageID && lhs.date == rhs.date
            && lhs.extraHeaders.elementsEqual(rhs.extraHeaders, by: ==)
    }
}

/// Renders an ``EmailMessage`` as RFC 5322 / MIME bytes: CRLF line ends, no line over 998 octets,
/// RFC 2047 words for non-ASCII header text, `multipart/alternative` (text first, then HTML) with
/// quoted-printable or base64 parts. Header values that hold CR, LF or NUL are refused, so no input
/// can add a header.
public enum MIMEBuilder {
    public static func build(_ m: EmailMessage, boundary: String = "herald-" + UUID().uuidString) throws(HeraldError)
        -> [UInt8]
    {
        var headerValues = [m.subject, m.messageID, m.from.address] + m.to.map(\.address)
        headerValues += [m.from.name, m.replyTo?.address, m.replyTo?.name].compactMap { $0 }
        headerValues += m.to.compactMap(\.name)
        for (name, value) in m.extraHeaders { headerValues += [name, value] }
        if headerValues.contains(where: DestinationRules.hasLineBreak) {
            throw .invalid(field: "subject", "header text must not contain line breaks")
        }
        guard !m.to.isEmpty else { throw .invalid(field: "to", "an email needs at least one recipient") }

        var out = ""
        func header(_ name: String, _ value: String) { out += name + ": " + value + "\r\n" }
        header("Date", MIMEEncoding.date(m.date))
        header("From", m.from.header)
        header("To", m.to.map(\.header).joined(separator: ",\r\n "))
        if let replyTo = m.replyTo { header("Reply-To", replyTo.header) }
        header("Subject", MIMEEncoding.headerText(m.subject, nameLength: 7))
        header("Message-ID", "<" + m.messageID + ">")
        header("MIME-Version", "1.0")
        for (name, value) in m.extraHeaders { header(name, value) }

        switch (m.text, m.html) {
        case (let text?, let html?):
            header("Content-Type", "multipart/alternative; boundary=\"\(boundary)\"")
            out += "\r\n"
            out += "--" + boundary + "\r\n" + part(text, type: "text/plain")
            out += "\r\n--" + boundary + "\r\n" + part(html, type: "text/html")
            out += "\r\n--" + boundary + "--\r\n"
        case (nil, let html?):
            out += part(html, type: "text/html") + "\r\n"
        case (let text, nil):
            out += part(text ?? "", type: "text/plain") + "\r\n"
        }
        return Array(out.utf8)
    }

    /// Headers and body of one part (for a single-part message these are the message's own).
    private static func part(_ content: String, type: String) -> String {
        let body: String
        let encoding: String
        if MIMEEncoding.prefersQuotedPrintable(content) {
            encoding = "quoted-printable"
            body = MIMEEncoding.quotedPrintable(content)
        } else {
            encoding = "base64"
            body = MIMEEncoding.base64Lines(Array(MIMEEncoding.crlf(content).utf8))
        }
        return "Content-Type: \(type); charset=UTF-8\r\nContent-Transfer-Encoding: \(encoding)\r\n\r\n" + body
    }
}
