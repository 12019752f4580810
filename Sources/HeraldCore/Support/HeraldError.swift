/// An error Herald reports to a caller. Each one maps to exactly one problem+json response
/// (RFC 9457) in the server, and to one exit code in the CLI.
public struct HeraldError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The family of the error; decides the HTTP status and the problem `type`.
    public enum Kind: String, Sendable {
        case invalidInput = "invalid-input"
        case malformedJSON = "malformed-json"
        case payloadTooLarge = "payload-too-large"
        case unauthorized = "unauthorized"
        case forbidden = "forbidden"
        case notFound = "not-found"
        case conflict = "conflict"
        case rateLimited = "rate-limited"
        case unavailable = "unavailable"
        case configuration = "configuration"
        case `internal` = "internal"
    }

    /// One offending field: a JSON-pointer-like path (`to.webhook`, `messages[3].subject`) and why.
    public struct FieldProblem: Sendable, Equatable, Codable {
        public var name: String
        public var reason: String
        public init(name: String, reason: String) {
            self.name = name
            self.reason = reason
        }
    }

    public var kind: Kind
    public var detail: String
    public var fields: [FieldProblem]

    public init(kind: Kind, detail: String, fields: [FieldProblem] = []) {
        self.kind = kind
        self.detail = detail
        self.fields = fields
    }

    /// One line per offending field (`name: reason`), or the detail when no field is at fault.
    public var description: String {
        if fields.isEmpty { return detail }
        return fields.map { "\($0.name): \($0.reason)" }.joined(separator: "\n")
    }

    /// The HTTP status this error answers with.
    public var httpStatus: Int {
        switch kind {
        case .invalidInput: 422
        case .malformedJSON: 400
        case .payloadTooLarge: 413
        case .unauthorized: 401
        case .forbidden: 403
        case .notFound: 404
        case .conflict: 409
        case .rateLimited: 429
        case .unavailable: 503
        case .configuration: 500
        case .internal: 500
        }
    }

    public static func invalid(_ fields: [FieldProblem]) -> HeraldError {
        let detail = fields.count == 1 ? "field '\(fields[0].name)' is invalid" : "\(fields.count) fields are invalid"
        return HeraldError(kind: .invalidInput, detail: detail, fields: fields)
    }

    public static func invalid(field: String, _ reason: String) -> HeraldError {
        invalid([FieldProblem(name: field, reason: reason)])
    }

    public static func malformedJSON(_ detail: String) -> HeraldError {
        HeraldError(kind: .malformedJSON, detail: detail)
    }

    public static func unauthorized(_ detail: String) -> HeraldError { HeraldError(kind: .unauthorized, detail: detail) }
    public static func forbidden(_ detail: String) -> HeraldError { HeraldError(kind: .forbidden, detail: detail) }
    public static func notFound(_ detail: String) -> HeraldError { HeraldError(kind: .notFound, detail: detail) }
    public static func conflict(_ detail: String) -> HeraldError { HeraldError(kind: .conflict, detail: detail) }
    public static func unavailable(_ detail: String) -> HeraldError { HeraldError(kind: .unavailable, detail: detail) }
    public static func configuration(_ detail: String) -> HeraldError {
        HeraldError(kind: .configuration, detail: detail)
    }
    public static func `internal`(_ detail: String) -> HeraldError { HeraldError(kind: .internal, detail: detail) }
}
