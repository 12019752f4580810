import CCurl
import Foundation

/// One libcurl easy handle, reused across requests so the connection stays open.
///
/// Not thread-safe: a handle belongs to one worker thread. Transfers block the calling thread,
/// so they never run on a SwiftNIO event loop or the Swift concurrency pool. All unsafe pointer
/// work of Herald's libcurl use lives in this file.
public final class CurlEasy {
    let handle: UnsafeMutableRawPointer
    let box = TransferBox()
    /// The options the handle is set up with for POSTs; nil after any other kind of transfer.
    var postOptions: HTTPOptions?
    /// The current request's header list, owned here until the transfer has finished.
    private var requestHeaders: UnsafeMutablePointer<curl_slist>?

    /// Creates a handle. Throws when libcurl cannot allocate one.
    public init() throws(TransportError) {
        CurlGlobal.ensureInitialised()
        guard let handle = curl_easy_init() else {
            throw TransportError(kind: .internal, message: "curl_easy_init failed")
        }
        self.handle = handle
    }

    deinit {
        curl_easy_cleanup(handle)
        if let requestHeaders { curl_slist_free_all(requestHeaders) }
    }

    /// POSTs `body` to `url` and returns the response, or throws a classified transport error.
    /// - Parameters:
    ///   - headers: request headers; values must already be free of CR/LF.
    ///   - options: timeouts, user agent, how much of the answer to keep, and whether to refuse
    ///     loopback, private, link-local or unspecified addresses (SSRF protection), whatever the
    ///     host name resolves to.
    public func post(
        url: String,
        headers: [(String, String)],
        body: [UInt8],
        options: HTTPOptions
    ) throws(TransportError) -> HTTPResponse {
        try preparePost(url: url, headers: headers, bodySize: body.count, options: options)
        let code: CURLcode = body.withUnsafeBufferPointer { buffer in
            _ = herald_curl_setopt_pointer(handle, CURLOPT_POSTFIELDS, UnsafeMutableRawPointer(mutating: buffer.baseAddress))
            return curl_easy_perform(handle)
        }
        return try finishPost(code)
    }

    /// Sets the handle up for one POST that a ``CurlMulti`` then drives: libcurl keeps its own
    /// copy of `body`. Call ``finishPost(_:)`` with the transfer's result.
    func startPost(url: String, headers: [(String, String)], body: [UInt8], options: HTTPOptions) throws(TransportError) {
        try preparePost(url: url, headers: headers, bodySize: body.count, options: options)
        let code = body.withUnsafeBufferPointer { buffer in
            herald_curl_setopt_pointer(handle, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: buffer.baseAddress))
        }
        guard code == CURLE_OK else {
            releaseHeaders()
            throw TransportError(kind: .internal, message: "libcurl could not take the request body (\(code.rawValue))")
        }
    }

    /// The response of the POST set up last, or its classified transport error.
    func finishPost(_ code: CURLcode) throws(TransportError) -> HTTPResponse {
        releaseHeaders()
        if let blocked = box.blockedAddress {
            throw TransportError(kind: .blockedAddress, message: "destination resolves to a non-public address (\(blocked))")
        }
        guard code == CURLE_OK else { throw TransportError(curlCode: code) }
        var status = 0
        _ = herald_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        return HTTPResponse(status: status, headerLines: box.headerLines, body: box.body)
    }

    /// Everything of a POST but its body: options, URL, headers (kept until ``finishPost(_:)``).
    private func preparePost(url: String, headers: [(String, String)], bodySize: Int, options: HTTPOptions) throws(TransportError) {
        box.reset(maxBody: options.maxResponseBytes)
        releaseHeaders()
        var setup = configureForPost(options)
        var list: UnsafeMutablePointer<curl_slist>? = nil
        for (name, value) in headers {
            list = curl_slist_append(list, "\(name): \(value)")
        }
        // Expect: 100-continue costs a round trip on every POST; webhook bodies are small.
        list = curl_slist_append(list, "Expect:")
        requestHeaders = list
        setup = setup == CURLE_OK ? herald_curl_setopt_string(handle, CURLOPT_URL, url) : setup
        _ = herald_curl_setopt_slist(handle, CURLOPT_HTTPHEADER, list)
        _ = herald_curl_setopt_off_t(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(bodySize))
        guard setup == CURLE_OK else {
            releaseHeaders()
            throw TransportError(kind: .invalidRequest, message: "libcurl refused the request setup (\(setup.rawValue))")
        }
    }

    /// Frees the header list of the last request (libcurl reads it until the transfer ends).
    func releaseHeaders() {
        guard let list = requestHeaders else { return }
        _ = herald_curl_setopt_slist(handle, CURLOPT_HTTPHEADER, nil)
        curl_slist_free_all(list)
        requestHeaders = nil
    }

    /// Sets what every POST with these options shares, unless the handle's last transfer was one:
    /// libcurl keeps options between transfers, so a worker's handle is set up once and each
    /// request then sets only its URL, headers and body. Another kind of transfer (SMTP) resets it.
    private func configureForPost(_ options: HTTPOptions) -> CURLcode {
        if postOptions == options { return CURLE_OK }
        curl_easy_reset(handle)
        postOptions = nil
        let unmanaged = Unmanaged.passUnretained(box).toOpaque()
        var setup = herald_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
        setup = setup == CURLE_OK ? herald_curl_setopt_long(handle, CURLOPT_POST, 1) : setup
        setup = setup == CURLE_OK ? herald_curl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, Int(options.connectTimeout)) : setup
        setup = setup == CURLE_OK ? herald_curl_setopt_long(handle, CURLOPT_TIMEOUT_MS, Int(options.timeout)) : setup
        setup = setup == CURLE_OK ? herald_curl_setopt_long(handle, CURLOPT_FOLLOWLOCATION, 0) : setup
        setup = setup == CURLE_OK ? herald_curl_setopt_string(handle, CURLOPT_PROTOCOLS_STR, "http,https") : setup
        setup = setup == CURLE_OK ? herald_curl_setopt_string(handle, CURLOPT_USERAGENT, options.userAgent) : setup
        _ = herald_curl_setopt_write_function(handle, curlWriteBody)
        _ = herald_curl_setopt_pointer(handle, CURLOPT_WRITEDATA, unmanaged)
        _ = herald_curl_setopt_header_function(handle, curlWriteHeader)
        _ = herald_curl_setopt_pointer(handle, CURLOPT_HEADERDATA, unmanaged)
        if options.blockPrivateAddresses {
            _ = herald_curl_setopt_prereq_function(handle, curlCheckAddress)
            _ = herald_curl_setopt_pointer(handle, CURLOPT_PREREQDATA, unmanaged)
        }
        if setup == CURLE_OK { postOptions = options }
        return setup
    }
}

/// Per-transfer buffers handed to libcurl's callbacks through an opaque pointer.
final class TransferBox {
    var body: [UInt8] = []
    /// Bytes to upload (SMTP DATA) and how far the read callback got.
    var upload: [UInt8] = []
    var uploadOffset = 0
    /// The response's header lines, kept as bytes (``HTTPResponse/headers`` parses them), and how many.
    var headerLines: [UInt8] = []
    var headerCount = 0
    var maxBody = 65_536
    var blockedAddress: String?
    /// Final SMTP reply lines (`250 …`, `550 …`), in order; multi-line continuations are skipped.
    var serverLines: [String] = []

    func reset(maxBody: Int) {
        body.removeAll(keepingCapacity: true)
        upload = []
        uploadOffset = 0
        serverLines.removeAll(keepingCapacity: true)
        headerLines.removeAll(keepingCapacity: true)
        headerCount = 0
        self.maxBody = maxBody
        blockedAddress = nil
    }
}

func curlWriteBody(
    _ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ user: UnsafeMutableRawPointer?
) -> Int {
    guard let data, let user else { return 0 }
    let box = Unmanaged<TransferBox>.fromOpaque(user).takeUnretainedValue()
    let length = size * count
    let room = max(0, box.maxBody - box.body.count)
    if room > 0 {
        data.withMemoryRebound(to: UInt8.self, capacity: length) { bytes in
            box.body.append(contentsOf: UnsafeBufferPointer(start: bytes, count: min(room, length)))
        }
    }
    // Accept (and drop) the rest so an oversized answer does not turn into a transport error.
    return length
}

func curlWriteHeader(
    _ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ user: UnsafeMutableRawPointer?
) -> Int {
    guard let data, let user else { return 0 }
    let box = Unmanaged<TransferBox>.fromOpaque(user).takeUnretainedValue()
    let length = size * count
    // Byte-level: a response has several header lines per request, and Foundation's trimming
    // (through NSString) cost more than the request's signature in a profile.
    data.withMemoryRebound(to: UInt8.self, capacity: length) { start in
        let line = UnsafeBufferPointer(start: start, count: length)
        if line.starts(with: "HTTP/".utf8) {  // a new response (e.g. after 100 Continue)
            box.headerLines.removeAll(keepingCapacity: true)
            box.headerCount = 0
            return
        }
        // SMTP: a final reply line is three digits and a space ("250-" lines continue a reply).
        if length >= 4, line[0...2].allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), line[3] == 0x20 {
            if box.serverLines.count < 64 { box.serverLines.append(HeaderBytes.text(line[...])) }
            return
        }
        guard box.headerCount < 100, line.contains(UInt8(ascii: ":")) else { return }
        box.headerLines.append(contentsOf: line)
        // A line always ends in LF for ``HTTPResponse/headers`` to split on, even if the server's did not.
        if line.last != UInt8(ascii: "\n") { box.headerLines.append(UInt8(ascii: "\n")) }
        box.headerCount += 1
    }
    return length
}

/// Header bytes to text: surrounding spaces, tabs and CR/LF dropped.
enum HeaderBytes {
    static func text(_ bytes: Slice<UnsafeBufferPointer<UInt8>>, lowercased: Bool = false) -> String {
        func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0D || b == 0x0A }
        var lower = bytes.startIndex
        var upper = bytes.endIndex
        while lower < upper, isSpace(bytes[lower]) { lower += 1 }
        while upper > lower, isSpace(bytes[upper - 1]) { upper -= 1 }
        let trimmed = bytes[lower..<upper]
        guard lowercased else { return String(decoding: trimmed, as: UTF8.self) }
        return String(decoding: trimmed.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }, as: UTF8.self)
    }
}

func curlCheckAddress(
    _ user: UnsafeMutableRawPointer?, _ primaryIP: UnsafeMutablePointer<CChar>?, _ localIP: UnsafeMutablePointer<CChar>?,
    _ primaryPort: Int32, _ localPort: Int32
) -> Int32 {
    guard let user, let primaryIP else { return 1 }
    let address = String(cString: primaryIP)
    if AddressPolicy.isPublic(address) { return 0 }
    Unmanaged<TransferBox>.fromOpaque(user).takeUnretainedValue().blockedAddress = address
    return 1  // CURL_PREREQFUNC_ABORT
}

/// `curl_global_init` once per process, before any handle exists.
enum CurlGlobal {
    private static let initialised: Bool = {
        curl_global_init(Int(CURL_GLOBAL_ALL)) == CURLE_OK
    }()

    static func ensureInitialised() {
        _ = initialised
    }
}
