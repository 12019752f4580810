import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A minimal HTTP/1.1 peer on 127.0.0.1 for transport tests: keeps connections alive, records
/// each request (with the connection it came on) and answers `200` with a short JSON body.
/// One thread per connection; stopped by `stop()`.
final class LoopbackHTTPServer: Sendable {
    struct Received: Sendable {
        var connection: Int
        var requestLine: String
        var headers: [String: String]
        var body: [UInt8]
    }

    let port: Int
    private let listener: Int32
    private let received = Mutex<[Received]>([])
    private let connections = Atomic<Int>(0)

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 16) == 0 else { close(fd); throw POSIXError(.EADDRINUSE) }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        listener = fd
        port = Int(UInt16(bigEndian: address.sin_port))
        Thread.detachNewThread { [self] in acceptLoop() }
    }

    var url: String { "http://127.0.0.1:\(port)/hook" }
    var requests: [Received] { received.withLock { $0 } }

    /// Wakes the accept loop, which closes the listener itself: closing it here could let a
    /// server started meanwhile (tests run in parallel) get the same descriptor number, and the
    /// loop's next `accept` would take that server's connections.
    func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
    }

    private func acceptLoop() {
        defer { close(listener) }
        while true {
            let client = accept(listener, nil, nil)
            if client < 0 {
                if errno == EINTR { continue }
                return
            }
            let number = connections.add(1, ordering: .relaxed).newValue
            Thread.detachNewThread { [self] in serve(client, connection: number) }
        }
    }

    private func serve(_ fd: Int32, connection: Int) {
        defer { close(fd) }
        var buffer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            // Read until the head is complete, then the Content-Length body.
            let separator: [UInt8] = Array("\r\n\r\n".utf8)
            var headEnd: Int? = nil
            while headEnd == nil {
                if let range = buffer.firstRange(of: separator) { headEnd = range.upperBound; break }
                let n = read(fd, &chunk, chunk.count)
                if n <= 0 { return }
                buffer += chunk[0..<n]
            }
            guard let end = headEnd else { return }
            let lines = String(decoding: buffer[0..<end], as: UTF8.self).components(separatedBy: "\r\n")
            var headers: [String: String] = [:]
            for line in lines.dropFirst() where line.contains(":") {
                let parts = line.split(separator: ":", maxSplits: 1)
                headers[parts[0].lowercased()] = parts.count > 1 ? parts[1].trimmingCharacters(in: .whitespaces) : ""
            }
            let length = Int(headers["content-length"] ?? "0") ?? 0
            while buffer.count < end + length {
                let n = read(fd, &chunk, chunk.count)
                if n <= 0 { return }
                buffer += chunk[0..<n]
            }
            let request = Received(
                connection: connection, requestLine: lines.first ?? "", headers: headers, body: Array(buffer[end..<(end + length)]))
            buffer.removeFirst(end + length)
            received.withLock { $0.append(request) }
            let reply = Array("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\nX-Peer: loopback\r\n\r\n{\"ok\":true}".utf8)
            guard reply.withUnsafeBytes({ write(fd, $0.baseAddress, $0.count) }) == reply.count else { return }
        }
    }
}
