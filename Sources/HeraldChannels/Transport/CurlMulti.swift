import CCurl

/// libcurl's multi interface: one thread drives many transfers, each on a ``CurlEasy`` of its own
/// and known by the caller's tag. Not thread-safe except ``waker``.
final class CurlMulti {
    private let owner: MultiHandle
    private var handle: UnsafeMutableRawPointer { owner.pointer }
    /// Transfers added and not yet finished, by libcurl's pointer to their easy handle.
    private var running: [UnsafeMutableRawPointer: (easy: CurlEasy, tag: Int)] = [:]

    init() throws(TransportError) {
        CurlGlobal.ensureInitialised()
        guard let handle = curl_multi_init() else {
            throw TransportError(kind: .internal, message: "curl_multi_init failed")
        }
        owner = MultiHandle(handle)
    }

    deinit {
        for transfer in running.values { curl_multi_remove_handle(handle, transfer.easy.handle) }
    }

    var count: Int { running.count }

    /// Starts driving `easy`'s prepared transfer; ``perform()`` reports its end under `tag`.
    func add(_ easy: CurlEasy, tag: Int) throws(TransportError) {
        let code = curl_multi_add_handle(handle, easy.handle)
        guard code == CURLM_OK else {
            throw TransportError(kind: .internal, message: "libcurl could not start the transfer (multi \(code.rawValue))")
        }
        running[easy.handle] = (easy, tag)
    }

    /// Moves every transfer as far as it goes without waiting, then returns those that ended,
    /// with libcurl's result for each (removed from this multi handle).
    func perform() -> [(easy: CurlEasy, tag: Int, code: CURLcode)] {
        var active: Int32 = 0
        _ = curl_multi_perform(handle, &active)
        var finished: [(easy: CurlEasy, tag: Int, code: CURLcode)] = []
        var left: Int32 = 0
        while let message = curl_multi_info_read(handle, &left) {
            guard message.pointee.msg == CURLMSG_DONE, let pointer = message.pointee.easy_handle,
                let transfer = running.removeValue(forKey: pointer)
            else { continue }
            let code = message.pointee.data.result
            curl_multi_remove_handle(handle, pointer)
            finished.append((transfer.easy, transfer.tag, code))
        }
        return finished
    }

    /// Waits until a transfer can move, ``waker`` is called, or `milliseconds` pass.
    func wait(milliseconds: Int32) {
        _ = curl_multi_poll(handle, nil, 0, milliseconds, nil)
    }

    /// Ends a ``wait(milliseconds:)`` early, from any thread.
    var waker: CurlWaker { CurlWaker(owner: owner) }
}

/// The multi handle itself, released when neither its ``CurlMulti`` nor a ``CurlWaker`` holds it
/// (so a late wake-up from another thread never touches a freed handle).
final class MultiHandle: @unchecked Sendable {
    let pointer: UnsafeMutableRawPointer
    init(_ pointer: UnsafeMutableRawPointer) { self.pointer = pointer }
    deinit { curl_multi_cleanup(pointer) }
}

/// Wakes a thread waiting in ``CurlMulti/wait(milliseconds:)``: `curl_multi_wakeup` is the one
/// multi call libcurl allows from another thread.
public struct CurlWaker: Sendable {
    fileprivate let owner: MultiHandle

    public func wake() {
        _ = curl_multi_wakeup(owner.pointer)
    }
}
