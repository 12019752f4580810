import HeraldCore

/// A leased delivery of a plain text message ("hi"), as a channel's worker receives it.
func claimedDelivery(id: String, channel: String, to destination: String, locale: String? = nil) -> ClaimedDelivery {
    let message = Message(
        id: "msg_\(id)", idempotencyKey: nil, clientID: nil, template: nil, subject: nil, text: "hi", html: nil,
        data: "{}", locale: locale, priority: .normal, category: .transactional, sendAt: nil, expiresAt: nil, createdAt: 0)
    let delivery = Delivery(
        id: "dlv_\(id)", messageID: message.id, channel: channel, destination: destination, state: .sending, attempts: 0,
        dueAt: 0, expiresAt: nil, lastError: nil, providerID: nil, createdAt: 0, updatedAt: 0)
    return ClaimedDelivery(delivery: delivery, message: message)
}
