import HeraldStore
import Synchronization

/// Finished attempts waiting for the recorder. Worker threads append; the recorder takes all
/// at once and commits them in one transaction ("commit whatever is queued").
final class ResultBuffer: Sendable {
    private let results = Mutex<[DeliveryResult]>([])
    let signal = Signal()

    func append(_ result: DeliveryResult) {
        // The recorder takes everything queued, so only the first result after it emptied the
        // buffer needs to wake it: one wake-up per batch instead of one per delivery.
        let wasEmpty = results.withLock { results in
            defer { results.append(result) }
            return results.isEmpty
        }
        if wasEmpty { signal.raise() }
    }

    /// Puts results back after a failed commit, ahead of newer ones.
    func restore(_ batch: [DeliveryResult]) {
        results.withLock { $0.insert(contentsOf: batch, at: 0) }
        signal.raise()
    }

    func takeAll() -> [DeliveryResult] {
        results.withLock { results in
            defer { results.removeAll(keepingCapacity: true) }
            return results
        }
    }
}
