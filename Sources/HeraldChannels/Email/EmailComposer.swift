import HeraldCore

/// Turns a claimed email delivery and its rendered content into MIME bytes (shared by the SMTP
/// channel and the outbox provider, so that what lands on disk is what would be sent).
public struct EmailComposer: Sendable {
    public let from: EmailAddress
    public let replyTo: EmailAddress?
    public let messageIDDomain: String

    public init(settings: EmailSettings) throws(HeraldError) {
        guard let from = EmailAddress(parsing: settings.from) else {
            throw .configuration("'from' must be an address such as \"Acme CS <cs@acme.example>\"")
        }
        self.from = from
        replyTo = settings.replyTo.flatMap(EmailAddress.init(parsing:))
        messageIDDomain = settings.messageIDDomain ?? String(from.address.split(separator: "@").last ?? "localhost")
    }

    /// The message as sent. `Message-ID` is derived from the delivery id, so every retry of one
    /// delivery carries the same id and receiving systems can drop duplicates.
    public func compose(_ claimed: ClaimedDelivery, content: RenderedContent, now: Int64) throws(HeraldError) -> [UInt8] {
        let email = EmailMessage(
            from: from, to: [EmailAddress(address: claimed.delivery.destination)], replyTo: replyTo,
            subject: content.subject ?? "", text: content.text, html: content.html,
            messageID: "\(claimed.delivery.id)@\(messageIDDomain)", date: now,
            extraHeaders: [("X-Herald-Delivery", claimed.delivery.id)])
        return try MIMEBuilder.build(email)
    }
}
