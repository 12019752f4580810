import HeraldCore
import Logging
import ServiceLifecycle
import Synchronization

/// Runs one ``Dispatcher`` at a time and replaces it on reload: the running one drains first (no
/// new claims, unstarted work back to the queue, attempts in flight finish and are recorded), then
/// its successor — built from the new channels and templates — starts. Nothing in flight is dropped.
public final class DispatchSupervisor: Service, Sendable {
    private enum Request: Sendable {
        case replace(Dispatcher, CheckedContinuation<Void, Never>)
        case stop
        /// The running dispatcher's service group returned (after a shutdown we asked for, or on its own).
        case exited((any Error)?)
    }

    private let current: Mutex<Dispatcher>
    private let requests: AsyncStream<Request>
    private let continuation: AsyncStream<Request>.Continuation
    private let logger: Logger

    public init(_ dispatcher: Dispatcher, logger: Logger) {
        current = Mutex(dispatcher)
        (requests, continuation) = AsyncStream.makeStream(of: Request.self)
        self.logger = logger
    }

    /// The dispatcher running now.
    public var dispatcher: Dispatcher { current.withLock { $0 } }

    /// Drains the running dispatcher and starts `next`; returns once `next` was started.
    public func replace(with next: Dispatcher) async {
        await withCheckedContinuation { done in
            if case .terminated = continuation.yield(.replace(next, done)) { done.resume() }  // shutting down
        }
    }

    public func run() async throws {
        try await withGracefulShutdownHandler {
            var iterator = requests.makeAsyncIterator()
            var waiting: [Request] = []  // requests that arrived while a dispatcher was draining
            var started: CheckedContinuation<Void, Never>? = nil
            while true {
                let dispatcher = current.withLock { $0 }
                let group = ServiceGroup(
                    configuration: .init(services: [.init(service: dispatcher)], gracefulShutdownSignals: [], logger: logger))
                let next = try await withThrowingTaskGroup(of: Void.self) { tasks -> Request? in
                    tasks.addTask { [continuation] in
                        do {
                            try await group.run()
                            continuation.yield(.exited(nil))
                        } catch {
                            continuation.yield(.exited(error))
                        }
                    }
                    started?.resume()
                    started = nil
                    let request = waiting.isEmpty ? await iterator.next() : waiting.removeFirst()
                    if case .exited(let error)? = request {
                        // The dispatcher stopped by itself: fail like any other service, so the daemon
                        // exits and its supervisor (systemd) restarts it.
                        throw error ?? HeraldError.internal("the dispatcher stopped unexpectedly")
                    }
                    await group.triggerGracefulShutdown()
                    while let r = await iterator.next() {
                        if case .exited(let error) = r {
                            if let error { throw error }
                            break
                        }
                        waiting.append(r)
                    }
                    try await tasks.waitForAll()
                    return request
                }
                guard case .replace(let successor, let done)? = next else {
                    // Stopping: no successor will start; release anyone waiting for one.
                    continuation.finish()
                    for case .replace(_, let done) in waiting { done.resume() }
                    while let late = await iterator.next() { if case .replace(_, let done) = late { done.resume() } }
                    return
                }
                current.withLock { $0 = successor }
                started = done
                logger.info("dispatcher replaced after reload")
            }
        } onGracefulShutdown: {
            self.continuation.yield(.stop)
        }
    }
}
