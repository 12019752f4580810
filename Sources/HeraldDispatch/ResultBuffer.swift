import HeraldStore
import Synchronization

/// Finished attempts (and postponed deliveries) waiting for the recorder. Worker threads append;
/// `ResultRecorder` takes all at once and commits the attempts in one transaction and the
/// postponements in another ("commit whatever is queued").
final class ResultBuffer: Sendable {
    struct Batch: Sendable {
        var results: [DeliveryResult] = []
        var postponed: [Postponement] = []
        var isEmpty: Bool { results.isEmpty && postponed.isEmpty }
    }

    private let pending = Mutex(Batch())
    let signal = Signal()

    func append(_ result: DeliveryResult) {
        add { $0.results.append(result) }
    }

    func append(_ postponement: Postponement) {
        add { $0.postponed.append(postponement) }
    }

    private func add(_ change: (inout Batch) -> Void) {
        // The recorder takes everything queued, so only the first item after it emptied the
        // buffer needs to wake it: one wake-up per batch instead of one per delivery.
        let wasEmpty = pending.withLock { batch in
            defer { change(&batch) }
            return batch.isEmpty
        }
        if wasEmpty { signal.raise() }
    }

    /// Puts a batch back after a failed commit, ahead of newer items.
    func restore(_ batch: Batch) {
        pending.withLock {
            $0.results.insert(contentsOf: batch.results, at: 0)
            $0.postponed.insert(contentsOf: batch.postponed, at: 0)
        }
        signal.raise()
    }

    func takeAll() -> Batch {
        pending.withLock { batch in
            defer {
                batch.results.removeAll(keepingCapacity: true)
                batch.postponed.removeAll(keepingCapacity: true)
            }
            return batch
        }
    }
}
