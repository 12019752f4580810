import Foundation
import Synchronization

/// A time-ordered, prefixed identifier (`msg_…`, `dlv_…`, `evt_…`, `att_…`, `tsk_…`).
///
/// The 26 characters after the prefix are a ULID: 48 bits of milliseconds since the epoch
/// and 80 bits that are random at the start of each millisecond and then count upwards, so
/// ids sort by creation even within one millisecond and inserts land at the end of the index.
public enum HeraldID {
    /// The kinds of id Herald hands out; the raw value is the prefix.
    public enum Kind: String, Sendable, CaseIterable {
        case message = "msg"
        case delivery = "dlv"
        case event = "evt"
        case attempt = "att"
        case task = "tsk"
        case token = "tok"
        case subscription = "sub"
        case notice = "ntc"
        case slot = "slt"
        case audit = "aud"
    }

    /// The process's generator: every id Herald makes comes from it, so they all sort by creation.
    private static let shared = Generator()

    /// Hands out ids that increase strictly, even within a millisecond or after the clock steps
    /// back (then it counts on from its last id until the clock catches up).
    public final class Generator: Sendable {
        private struct State {
            var lastMillis: UInt64 = 0
            var high: UInt16 = 0
            var low: UInt64 = 0
        }

        private let state = Mutex(State())

        /// A generator of its own: tests use one to stamp ids with chosen times without moving
        /// the process's generator (it would stamp every later id with the latest time chosen).
        public init() {}

        /// A new id of the given kind, stamped with `now`.
        public func make(_ kind: Kind, now: Date) -> String {
            make(kind, millis: UInt64(max(0, now.timeIntervalSince1970 * 1000)))
        }

        fileprivate func make(_ kind: Kind, millis: UInt64) -> String {
            let (time, high, low) = state.withLock { state -> (UInt64, UInt16, UInt64) in
                if millis > state.lastMillis {
                    state.lastMillis = millis
                    state.high = UInt16.random(in: 0...UInt16.max)
                    state.low = UInt64.random(in: 0...UInt64.max)
                } else {
                    // Same (or earlier, after a clock step back) millisecond: count up from the last id.
                    let (sum, overflow) = state.low.addingReportingOverflow(1)
                    state.low = sum
                    if overflow { state.high &+= 1 }
                }
                return (state.lastMillis, state.high, state.low)
            }
            return encode(prefix: kind.rawValue, time: time, high: high, low: low)
        }
    }

    private static let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ".utf8)

    /// A new id of the given kind, stamped with the current time.
    public static func make(_ kind: Kind) -> String {
        shared.make(kind, millis: UInt64(max(0, Timestamps.now())))
    }

    /// Whether `text` has the shape of an id of `kind` (prefix, underscore, 26 base-32 characters).
    public static func isValid(_ text: String, kind: Kind) -> Bool {
        let utf8 = Array(text.utf8)
        let prefix = Array(kind.rawValue.utf8)
        guard utf8.count == prefix.count + 27, utf8.starts(with: prefix), utf8[prefix.count] == UInt8(ascii: "_")
        else { return false }
        return utf8[(prefix.count + 1)...].allSatisfy { alphabet.contains($0) }
    }

    /// The smallest id of `kind` made at or after `millis` (epoch ms): ids sort by time, so
    /// `id >= lowerBound(…)` selects recent rows through the primary key.
    public static func lowerBound(_ kind: Kind, atMillis millis: Int64) -> String {
        encode(prefix: kind.rawValue, time: UInt64(max(0, millis)), high: 0, low: 0)
    }

    /// `prefix_` and the 26 characters, written straight into the string's storage (one
    /// allocation: ids are made several times per message on the enqueue and delivery paths).
    private static func encode(prefix: String, time: UInt64, high: UInt16, low: UInt64) -> String {
        let prefixCount = prefix.utf8.count
        return String(unsafeUninitializedCapacity: prefixCount + 27) { buffer in
            var n = 0
            for byte in prefix.utf8 {
                buffer[n] = byte
                n += 1
            }
            buffer[n] = UInt8(ascii: "_")
            let base = n + 1
            alphabet.withUnsafeBufferPointer { alphabet in
                // 48-bit time → 10 characters (the first carries 3 bits).
                var t = time & 0xFFFF_FFFF_FFFF
                for i in stride(from: 9, through: 0, by: -1) {
                    buffer[base + i] = alphabet[Int(t & 31)]
                    t >>= 5
                }
                // 80 random bits (16 high + 64 low) → 16 characters.
                var lo = low
                var hi = UInt64(high)
                for i in stride(from: 25, through: 10, by: -1) {
                    buffer[base + i] = alphabet[Int(lo & 31)]
                    lo = (lo >> 5) | ((hi & 31) << 59)
                    hi >>= 5
                }
            }
            return base + 26
        }
    }
}
