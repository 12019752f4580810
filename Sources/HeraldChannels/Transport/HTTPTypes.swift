import HeraldCore

/// Options of one HTTP request through ``CurlEasy``.
public struct HTTPOptions: Sendable, Equatable {
    public var connectTimeout: Int64
    public var timeout: Int64
    public var userAgent: String
    public var blockPrivateAddresses: Bool
    /// Bytes of the response body kept (for error messages); the rest is read and dropped.
    public var maxResponseBytes: Int

    public init(
        connectTimeout: Int64 = 5_000, timeout: Int64 = 15_000, userAgent: String = "Herald/0.1",
        blockPrivateAddresses: Bool = true, maxResponseBytes: Int = 16_384
    ) {
        self.connectTimeout = connectTimeout
        self.timeout = timeout
        self.userAgent = userAgent
        self.blockPrivateAddresses = blockPrivateAddresses
        self.maxResponseBytes = maxResponseBytes
    }
}

/// A received HTTP response.
public struct HTTPResponse: Sendable, Equatable {
    public var status: Int
    public var body: [UInt8]
    /// The header lines as received (`Name: value` and CR/LF each). They are parsed only when
    /// asked for: most answers (a 2xx) are never looked at, and making strings of every line was
    /// ~3 % of the webhook sender's samples.
    let headerLines: [UInt8]

    public init(status: Int, headers: [(String, String)], body: [UInt8]) {
        self.status = status
        self.body = body
        headerLines = headers.flatMap { Array("\($0.0): \($0.1)\r\n".utf8) }
    }

    init(status: Int, headerLines: [UInt8], body: [UInt8]) {
        self.status = status
        self.body = body
        self.headerLines = headerLines
    }

    /// Header names in lower case, in arrival order; surrounding spaces dropped.
    public var headers: [(String, String)] {
        headerLines.withUnsafeBufferPointer { bytes in
            var result: [(String, String)] = []
            var start = 0
            while start < bytes.count {
                let end = bytes[start...].firstIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? bytes.count
                let line = bytes[start..<end]
                if let colon = line.firstIndex(of: UInt8(ascii: ":")) {
                    result.append((HeaderBytes.text(bytes[start..<colon], lowercased: true), HeaderBytes.text(bytes[(colon + 1)..<end])))
                }
                start = end
            }
            return result
        }
    }

    public func header(_ name: String) -> String? {
        let lower = name.lowercased()
        return headers.first { $0.0 == lower }?.1
    }

    /// The body as text, cut to `limit` characters, for error messages.
    /// The body parsed as a JSON object (providers put their codes there), or nil.
    public func jsonObject() -> [String: JSONValue]? {
        guard case .object(let object)? = try? JSONValue.parse(body) else { return nil }
        return object
    }

    public func bodySnippet(limit: Int = 200) -> String {
        let text = String(decoding: body.prefix(limit * 4), as: UTF8.self)
        let cut = text.prefix(limit)
        // One line without control characters: it ends up in errors that terminals and logs show.
        return DisplayText.line(String(cut.filter { !$0.isNewline })) + (text.count > limit ? "…" : "")
    }

    public static func == (lhs: HTTPResponse, rhs: HTTPResponse) -> Bool {
        lhs.status == rhs.status && lhs.body == rhs.body && lhs.headers.elementsEqual(rhs.headers, by: { $0 == $1 })
    }
}
