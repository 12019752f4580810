import HeraldCore

/// Turns a claimed email delivery and its rendered content into MIME bytes (shared by the SMTP
/// channel and the outbox provider, so that what lands on disk is what would be sent).
public struct EmailComposer: Sendable {
    public let from: EmailAddress
    public let replyTo: EmailAddress?
    public let messageIDDomain: String
    /// Tracking and unsubscribe links; nil when no tracking key is configured.
    public let links: LinkBuilder?
    let unsubscribeMailto: String?

    public init(settings: EmailSettings, links: LinkBuilder? = nil) throws(HeraldError) {
        self.links = links
        unsubscribeMailto = settings.unsubscribeMailto
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
        let id = claimed.delivery.id
        var headers = [("X-Herald-Delivery", id)]
        var html = content.html
        if let links {
            if links.trackingEnabled && content.tracking && claimed.message.tracking, let body = html {
                html = TrackingRewriter.rewrite(body, delivery: id, links: links)
            }
            // RFC 8058 one-click unsubscribe for marketing mail; transactional mail is not unsubscribable.
            if claimed.message.category == .marketing {
                var value = "<\(links.unsubscribeURL(delivery: id))>"
                if let mailto = unsubscribeMailto { value += ", <mailto:\(mailto)?subject=unsubscribe%20\(id)>" }
                headers.append(("List-Unsubscribe", value))
                headers.append(("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"))
            }
        }
        let email = EmailMessage(
            from: from, to: [EmailAddress(address: claimed.delivery.destination)],
            replyTo: claimed.message.replyTo.flatMap(EmailAddress.init(parsing:)) ?? replyTo,
            subject: content.subject ?? "", text: content.text, html: html,
            messageID: "\(id)@\(messageIDDomain)", date: now, extraHeaders: headers)
        return try MIMEBuilder.build(email)
    }
}
