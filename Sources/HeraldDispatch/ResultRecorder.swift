import HeraldCore
import HeraldStore

/// Commits what a `ResultBuffer` holds: finished attempts in one transaction, postponements in
/// another. A part whose commit fails goes back to the buffer for the next flush; a part that
/// committed never does, so retrying after a failure cannot record an attempt twice.
struct ResultRecorder: Sendable {
    /// What one flush achieved: the items that are now committed (their capacity can be freed) and
    /// the first failure, if a part had to go back to the buffer.
    struct Flush: Sendable {
        var committed = ResultBuffer.Batch()
        var failure: (any Error)?
    }

    let record: @Sendable ([DeliveryResult]) async throws -> Void
    let postpone: @Sendable ([Postponement]) async throws -> Void

    init(store: any Store) {
        record = { try await store.record($0) }
        postpone = { try await store.postpone($0, now: Timestamps.now()) }
    }

    init(
        record: @escaping @Sendable ([DeliveryResult]) async throws -> Void,
        postpone: @escaping @Sendable ([Postponement]) async throws -> Void
    ) {
        self.record = record
        self.postpone = postpone
    }

    /// Takes everything queued in `buffer` and commits it. The two parts are independent: a failed
    /// record does not hold back the postponements, nor the other way round.
    func flush(_ buffer: ResultBuffer) async -> Flush {
        let batch = buffer.takeAll()
        var flush = Flush()
        if !batch.results.isEmpty {
            do {
                try await record(batch.results)
                flush.committed.results = batch.results
            } catch {
                buffer.restore(ResultBuffer.Batch(results: batch.results))
                flush.failure = error
            }
        }
        if !batch.postponed.isEmpty {
            do {
                try await postpone(batch.postponed)
                flush.committed.postponed = batch.postponed
            } catch {
                buffer.restore(ResultBuffer.Batch(postponed: batch.postponed))
                flush.failure = flush.failure ?? error
            }
        }
        return flush
    }
}
