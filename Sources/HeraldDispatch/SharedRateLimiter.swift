import Foundation
import HeraldChannels
import HeraldCore
import HeraldStore
import Logging
import Synchronization

/// Rate limits kept in a store that several instances share (PostgreSQL): a robot's or an SMS
/// number's allowance holds across every process, not per process. Called from the channels'
/// worker threads, which block on it (they are plain threads of their own, never the concurrency
/// pool's).
final class SharedRateLimiter: Sendable {
    private let store: any Store
    private let logger: Logger
    /// Milliseconds added to a slot's end: clocks of two hosts differ a little.
    static let margin: Int64 = 50

    init(store: any Store, logger: Logger) {
        self.store = store
        self.logger = logger
    }

    /// Takes a slot for the delivery or says until when it waits. `nil` key or limit: not limited.
    func admit(_ claimed: ClaimedDelivery, channel: any Channel, now: Int64) -> (slot: String?, wait: ChannelAdmission) {
        guard let key = channel.rateKey(claimed), let limit = channel.rateLimit, let window = channel.rateWindow else {
            return (nil, .proceed)
        }
        // Until the send reports back, the slot is held for the longest it can take.
        let hold = now + channel.attemptTimeout + window + Self.margin
        let answer = Self.blocking { [store] in try await store.reserveSlot(key: key, limit: limit, now: now, holdUntil: hold) }
        switch answer {
        case .success(.granted(let id)):
            return (id, .proceed)
        case .success(.full(let freeAt)):
            return (nil, .wait(
                until: max(freeAt, now + 1),
                reason: "rate limit of \(channel.rateSubject(claimed)) across all instances: \(limit) per \(DurationText.format(window))"))
        case .failure(let error):
            logger.warning("shared rate limit unavailable; the delivery waits", metadata: ["error": "\(error)"])
            return (nil, .wait(until: now + 1_000, reason: "the shared rate limit could not be read: \(error)"))
        }
    }

    /// The send finished: the slot counts for a window from now on.
    func finished(slot: String, channel: any Channel, at finishedAt: Int64) {
        guard let window = channel.rateWindow else { return }
        let store = self.store
        let logger = self.logger
        Task {
            do { try await store.finishSlot(id: slot, holdUntil: finishedAt + window + Self.margin) } catch {
                logger.debug("slot end not moved; it keeps its longest hold", metadata: ["error": "\(error)"])
            }
        }
    }

    private static func blocking<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) -> Result<T, any Error> {
        let box = Mutex<Result<T, any Error>?>(nil)
        let done = DispatchSemaphore(value: 0)
        Task {
            let result: Result<T, any Error>
            do { result = .success(try await body()) } catch { result = .failure(error) }
            box.withLock { $0 = result }
            done.signal()
        }
        done.wait()
        return box.withLock { $0 } ?? .failure(HeraldError.internal("the rate limiter gave no answer"))
    }
}
