import HeraldStore
import Synchronization

/// Finished attempts waiting for the recorder. Worker threads append; the recorder takes all
/// at once and commits them in one transaction ("commit whatever is queued").
final class ResultBuffer: Sendable {
    private let results = Mutex<[DeliveryResult]>([])
    let signal = Signal()

    func append(_ result: DeliveryResult) {
        results.withLock { $0.append(result) }
        signal.raise()
    }

    func takeAll() -> [DeliveryResult] {
        results.withLock { results in
            defer { results.removeAll(keepingCapacity: true) }
            return results
        }
    }
}
