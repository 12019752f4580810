import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Where ``LazyMetadataLogHandler`` puts its lines, and the local-time stamp that starts each.
///
/// Every handler of the process shares ``standardError``: one lock keeps lines from different
/// threads whole, and one cached stamp serves every line written within the same second.
public final class LogLineOutput: Sendable {
    private enum Target: Sendable {
        case standardError
        case stream(any TextOutputStream & Sendable)
    }

    /// The second a stamp was made for, and the stamp: `strftime`'s `%Y-%m-%dT%H:%M:%S%z` in local
    /// time, as swift-log's `StreamLogHandler` writes it.
    private struct Stamp {
        var second: Int = .min
        var text: [UInt8] = []
    }

    public static let standardError = LogLineOutput(.standardError)

    private let target: Target
    private let stamp = Mutex(Stamp())
    private let writing = Mutex(())

    private init(_ target: Target) {
        self.target = target
    }

    convenience init(stream: any TextOutputStream & Sendable) {
        self.init(.stream(stream))
    }

    func appendTimestamp(to line: inout [UInt8]) {
        let now = time(nil)
        stamp.withLock { stamp in
            if stamp.second != now {
                stamp = Stamp(second: now, text: Self.format(now))
            }
            line.append(contentsOf: stamp.text)
        }
    }

    /// `localtime_r` reads the time zone once per process (glibc), unlike `localtime`.
    private static func format(_ second: Int) -> [UInt8] {
        var clock = time_t(second)
        var local = tm()
        guard localtime_r(&clock, &local) != nil else { return Array("<unknown>".utf8) }
        var buffer = [CChar](repeating: 0, count: 64)
        let count = strftime(&buffer, buffer.count, "%Y-%m-%dT%H:%M:%S%z", &local)
        return buffer.prefix(count).map { UInt8(bitPattern: $0) }
    }

    /// Writes one whole line. Standard error gets it in a single `write` when the kernel takes it
    /// all (a short write or an interruption continues where it stopped); a failed write drops the
    /// line, as `fwrite` to a closed standard error would.
    func write(_ line: [UInt8]) {
        switch target {
        case .stream(let stream):
            var stream = stream
            stream.write(String(decoding: line, as: UTF8.self))
        case .standardError:
            writing.withLock { _ in
                line.withUnsafeBytes { bytes in
                    guard let start = bytes.baseAddress else { return }
                    var offset = 0
                    while offset < bytes.count {
                        let written = writeToStandardError(start + offset, bytes.count - offset)
                        if written > 0 {
                            offset += written
                        } else if written < 0 && errno == EINTR {
                            continue
                        } else {
                            return
                        }
                    }
                }
            }
        }
    }
}

/// `write(2)` to standard error (a free function: inside ``LogLineOutput`` the name is its method's).
private func writeToStandardError(_ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    write(2, bytes, count)
}
