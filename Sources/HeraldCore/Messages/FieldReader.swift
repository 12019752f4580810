import Foundation

/// Reads typed fields out of a JSON object, recording a ``HeraldError/FieldProblem`` for each
/// field of the wrong type or shape instead of throwing at the first.
public struct FieldReader {
    public let object: [String: JSONValue]
    public let path: String
    public var problems: [HeraldError.FieldProblem] = []

    public init(object: [String: JSONValue], path: String = "") {
        self.object = object
        self.path = path
    }

    public mutating func fail(_ field: String, _ reason: String) {
        problems.append(.init(name: path + field, reason: reason))
    }

    public mutating func string(
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

    public mutating func enumeration<E: RawRepresentable & CaseIterable>(_ key: String, _ type: E.Type) -> E?
    where E.RawValue == String {
        guard let raw = string(key, maxLength: 32) else { return nil }
        if let value = E(rawValue: raw) { return value }
        fail(key, "must be one of: " + E.allCases.map(\.rawValue).joined(separator: ", "))
        return nil
    }

    /// An RFC 3339 timestamp (`2026-12-01T09:00:00+08:00`), as epoch milliseconds.
    public mutating func timestamp(_ key: String) -> Int64? {
        guard let text = string(key, maxLength: 64) else { return nil }
        if let millis = Timestamps.parse(text) { return millis }
        fail(key, "must be an RFC 3339 timestamp such as 2026-12-01T09:00:00Z")
        return nil
    }

    /// Reads a JSON body that must be an object.
    public init(body: JSONValue) throws(HeraldError) {
        guard case .object(let fields) = body else { throw .invalid(field: "(body)", "must be a JSON object") }
        self.init(object: fields)
    }

    /// Records every field not in `known` as unknown.
    public mutating func rejectUnknown(_ known: Set<String>) {
        for key in object.keys.sorted() where !known.contains(key) { fail(key, "unknown field") }
    }

    /// An optional boolean (absent or null is `nil`).
    public mutating func bool(_ key: String) -> Bool? {
        switch object[key] {
        case nil, .null: return nil
        case .bool(let b): return b
        case .some(let other):
            fail(key, "must be true or false, not \(other.typeName)")
            return nil
        }
    }

    /// Throws one problem+json error naming every field recorded so far.
    public func check() throws(HeraldError) {
        if !problems.isEmpty { throw .invalid(problems) }
    }
}
