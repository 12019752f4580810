import HeraldCore
import HeraldStore

/// The signing secrets of API subscriptions around the store: sealed on the way in, opened on the
/// way out (``SecretSealer``, keyed by `[tracking] key`). Without a tracking key secrets are stored
/// as they are, as before sealing existed.
public struct SubscriptionSecrets: Sendable {
    public let sealer: SecretSealer?
    let store: any Store

    public init(store: any Store, trackingKey: String?) {
        self.store = store
        sealer = trackingKey.map(SecretSealer.init(trackingKey:))
    }

    /// Stores a new subscription, its secret sealed when there is a key, and writes it to the audit
    /// log (its URL without query or credentials, which may carry a secret).
    public func create(_ subscription: Subscription, actor: String) async throws {
        var stored = subscription
        if let sealer { stored.secret = try sealer.seal(subscription.secret, id: subscription.id) }
        try await store.createSubscription(stored)
        let topics = subscription.topics.map(\.rawValue).sorted().joined(separator: ",")
        await store.audit(.make(
            .subscriptionCreated, subject: subscription.id,
            detail: "\(subscription.name): \(DestinationRules.redacted(url: subscription.url)); topics \(topics.isEmpty ? "all" : topics)",
            actor: actor, at: subscription.createdAt))
    }

    /// The API subscriptions with their secrets opened, and apart those whose secret cannot be
    /// opened (sealed under another tracking key, or there is none now), each with the reason.
    public func load() async throws -> (readable: [Subscription], unreadable: [(Subscription, String)]) {
        var readable: [Subscription] = []
        var unreadable: [(Subscription, String)] = []
        for var subscription in try await store.subscriptions() {
            do {
                subscription.secret = try SecretSealer.open(subscription.secret, id: subscription.id, with: sealer)
                readable.append(subscription)
            } catch {
                unreadable.append((subscription, error.detail))
            }
        }
        return (readable, unreadable)
    }

    /// Seals every secret stored unsealed (before sealing existed, or while there was no key);
    /// returns how many. Nothing without a key.
    public func sealStored() async throws -> Int {
        guard let sealer else { return 0 }
        var sealed = 0
        for subscription in try await store.subscriptions() where !SecretSealer.isSealed(subscription.secret) {
            let sealedSecret = try sealer.seal(subscription.secret, id: subscription.id)
            try await store.updateSubscriptionSecret(id: subscription.id, secret: sealedSecret)
            sealed += 1
        }
        return sealed
    }
}
