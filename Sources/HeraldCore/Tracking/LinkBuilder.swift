/// Builds the public URLs of tracking pixels, click redirects and unsubscribe pages.
public struct LinkBuilder: Sendable {
    public let signer: LinkSigner
    /// `[server] public_url`, without a trailing slash.
    public let publicURL: String
    /// Whether opens and clicks are tracked (`[tracking] enabled`); unsubscribe links exist regardless.
    public let trackingEnabled: Bool

    public init(signer: LinkSigner, publicURL: String, trackingEnabled: Bool) {
        self.signer = signer
        self.publicURL = publicURL
        self.trackingEnabled = trackingEnabled
    }

    public func openURL(delivery: String) -> String {
        publicURL + "/t/o/" + signer.token(for: TrackedLink(kind: .open, deliveryID: delivery))
    }

    public func clickURL(delivery: String, target: String) -> String {
        publicURL + "/t/c/" + signer.token(for: TrackedLink(kind: .click, deliveryID: delivery, url: target))
    }

    public func unsubscribeURL(delivery: String) -> String {
        publicURL + "/u/" + signer.token(for: TrackedLink(kind: .unsubscribe, deliveryID: delivery))
    }
}
