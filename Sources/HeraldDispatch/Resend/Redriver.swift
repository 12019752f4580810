import HeraldCore
import HeraldStore

/// Runs a redrive (``RedriveRequest``) over as many pages as it takes, one transaction each, so a
/// redrive of a hundred thousand deliveries never holds the writer for long. Used by
/// `POST /v1/deliveries/redrive` and `herald redrive`.
public struct Redriver: Sendable {
    /// Deliveries looked at per transaction.
    public static let pageSize = 500

    let store: any Store

    public init(store: any Store) {
        self.store = store
    }

    /// What a run did: every delivery looked at, oldest first, and where to continue when it stopped
    /// at `total` with more left.
    public struct Outcome: Sendable {
        public var items: [RedriveItem] = []
        public var nextCursor: String?
        public var redriven: Int { items.count { $0.skipped == nil } }
        public var skipped: Int { items.count { $0.skipped != nil } }
    }

    /// Looks at up to `total` deliveries; `progress` is called after each page with the run so far.
    public func run(
        _ request: RedriveRequest, total: Int, progress: @Sendable (Outcome) -> Void = { _ in }
    ) async throws -> Outcome {
        var outcome = Outcome()
        var page = request
        while outcome.items.count < total {
            page.limit = min(Self.pageSize, total - outcome.items.count)
            let result = try await store.redrive(page)
            outcome.items += result.items
            outcome.nextCursor = result.nextCursor
            progress(outcome)
            guard let next = result.nextCursor else { break }
            page.after = next
        }
        return outcome
    }
}
