import HeraldCore
import HeraldStore

/// Runs a redrive (``RedriveRequest``) over as many pages as it takes, one transaction each, so a
/// redrive of a hundred thousand deliveries never holds the writer for long. Used by
/// `POST /v1/deliveries/redrive` and `herald redrive`; a run that redrove anything is written to the
/// audit log.
public struct Redriver: Sendable {
    /// Deliveries looked at per transaction.
    public static let pageSize = 500

    let store: any Store

    public init(store: any Store) {
        self.store = store
    }

    /// Looks at up to `total` deliveries; `progress` is called after each page with the run so far.
    /// The result is every page joined: every delivery looked at, oldest first, and where to continue
    /// when it stopped at `total` with more left.
    public func run(
        _ request: RedriveRequest, total: Int, progress: @Sendable (RedrivePage) -> Void = { _ in }
    ) async throws -> RedrivePage {
        var outcome = RedrivePage(items: [], nextCursor: nil)
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
        let redriven = outcome.items.filter { $0.newDeliveryID != nil }.count
        if !request.dryRun && redriven > 0 {
            var detail = "\(redriven) redriven, \(outcome.items.count - redriven) skipped; "
                + request.states.map(\.rawValue).joined(separator: ", ") + " on " + (request.channel ?? "every channel")
            if let reason = request.reason { detail += "; why: \(DisplayText.line(reason))" }
            await store.audit(.make(.deliveriesRedriven, subject: "-", detail: detail, actor: request.actor, at: request.now))
        }
        return outcome
    }
}
