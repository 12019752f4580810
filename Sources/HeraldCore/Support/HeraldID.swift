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
    }

    private static let generator = Mutex(State())

    private struct State {
        var lastMillis: UInt64 = 0
        var high: UInt16 = 0
        var low: UInt64 = 0
    }

    private static let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ".utf8)

    /// A new id of the given kind.
    public static func make(_ kind: Kind, now: Date = Date()) -> String {
        let millis = UInt64(max(0, now.timeIntervalSince1970 * 1000))
        let (time, high, low) = generator.withLock { state -> (UInt64, UInt16, UInt64) in
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
        return kind.rawValue + "_" + encode(time: time, high: high, low: low)
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
        kind.rawValue + "_" + encode(time: UInt64(max(0, millis)), high: 0, low: 0)
    }

    private static func encode(time: UInt64, high: UInt16, low: UInt64) -> String {
        var out = [UInt8](repeating: 0, count: 26)
        // 48-bit time → 10 characters (the first carries 3 bits).
        var t = time & 0xFFFF_FFFF_FFFF
        for i in stride(from: 9, through: 0, by: -1) {
            out[i] = alphabet[Int(t & 31)]
            t >>= 5
        }
        // 80 random bits (16 high + 64 low) → 16 characters.
        var lo = low
        var hi = UInt64(high)
        for i in stride(from: 25, through: 10, by: -1) {
            out[i] = alphabet[Int(lo & 31)]
            lo = (lo >> 5) | ((hi & 31) << 59)
            hi >>= 5
        }
        return String(decoding: out, as: UTF8.self)
    }
}
