import Synchronization

/// The current ``RuntimeSnapshot``, replaced whole by a reload. Request handlers read it once per
/// request, so a request sees one configuration from start to end.
public final class Runtime: Sendable {
    private let state: Mutex<RuntimeSnapshot>

    public init(_ snapshot: RuntimeSnapshot) {
        state = Mutex(snapshot)
    }

    public var current: RuntimeSnapshot { state.withLock { $0 } }

    func replace(with snapshot: RuntimeSnapshot) {
        state.withLock { $0 = snapshot }
    }
}
