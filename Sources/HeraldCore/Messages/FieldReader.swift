import Foundation

/// Reads typed fields out of a JSON object, recording a ``HeraldError/FieldProblem`` for each
/// field of the wrong type or shape instead of throwing at the first.
struct FieldReader {
    let object: [String: JSONValue]
    let path: String
    var problems: [HeraldError.FieldProblem] = []

    init(object: [String: JSONValue], path: String) {
        self.object = object
        self.path = path
    }

    mutating func fail(_ field: String, _ reason: String) {
        problems.append(.init(name: path + field, reason: reason))
    }

    mutating func string(
        _ key: String,
        maxLength: Int? = nil,
        maxBytes: Int? = nil,
        printableASCII: Bool = false,
        singleLine: Bool = false,
        pattern: ((String) -> Bool)? = nil
    ) -> String? {
        switch object[key] {
        case nil, .null: return nil
        case .string(let s):
            if let maxLength, s.count > maxLength {
                fail(key, "longer than \(maxLength) characters")
            } else if let maxBytes, s.utf8.count > maxBytes {
                fail(key, "larger than \(maxBytes) bytes")
            } else if s.isEmpty {
                fail(key, "must not be empty")
            } else if printableASCII && !s.utf8.allSatisfy({ $0 >= 0x21 && $0 <= 0x7E }) {
                fail(key, "must be printable ASCII without spaces")
            } else if singleLine && DestinationRules.hasLineBreak(s) {
                fail(key, "must not contain line breaks (CR, LF) or NUL")
            } else if s.unicodeScalars.contains("\u{0}") {
                fail(key, "must not contain NUL characters")
            } else if let pattern, !pattern(s) {
                fail(key, "has an invalid format")
            } else {
                return s
            }
            return nil
        case .some(let other):
            fail(key, "must be a string, not \(other.typeName)")
            return nil
        }
    }

    mutating func enumeration<E: RawRepresentable & CaseIterable>(_ key: String, _ type: E.Type) -> E?
    where E.RawValue == String {
        guard let raw = string(key, maxLength: 32) else { return nil }
        if let value = E(rawValue: raw) { return value }
        fail(key, "must be one of: " + E.allCases.map(\.rawValue).joined(separator: ", "))
        return nil
    }

    /// An RFC 3339 timestamp (`2026-12-01T09:00:00+08:00`), as epoch milliseconds.
    mutating func timestamp(_ key: String) -> Int64? {
        guard let text = string(key, maxLength: 64) else { return nil }
        if let millis = Timestamps.parse(text) { return millis }
        fail(key, "must be an RFC 3339 timestamp such as 2026-12-01T09:00:00Z")
        return nil
    }
}
