import CCurl
import Foundation
import HeraldCore

/// What an SMTP server answered to one message.
public struct SMTPReply: Sendable, Equatable {
    /// The last reply code (250 on success).
    public var code: Int
    /// The last reply line, e.g. `250 2.0.0 Ok: queued as 4FQ2c` or `550 5.1.1 <x@y>: user unknown`.
    public var text: String
    /// libcurl's result: 0 on success, 55 when MAIL/RCPT was refused, 8 when DATA was refused, …
    public var curlCode: Int
    public var curlMessage: String

    public init(code: Int, text: String, curlCode: Int, curlMessage: String) {
        self.code = code
        self.text = text
        self.curlCode = curlCode
        self.curlMessage = curlMessage
    }
}

/// The SMTP options of one transfer.
public struct SMTPOptions: Sendable, Equatable {
    public var url: String
    public var startTLS: EmailSettings.StartTLS
    public var username: String?
    public var password: String?
    public var caFile: String?
    /// `smtps://`: TLS from the first byte, so STARTTLS does not apply.
    public var implicitTLS: Bool
    public var connectTimeout: Int64
    public var timeout: Int64

    public init(
        url: String, startTLS: EmailSettings.StartTLS, username: String? = nil, password: String? = nil,
        caFile: String? = nil, connectTimeout: Int64 = 5_000, timeout: Int64 = 30_000
    ) {
        self.caFile = caFile
        implicitTLS = url.lowercased().hasPrefix("smtps://")
        self.url = url
        self.startTLS = startTLS
        self.username = username
        self.password = password
        self.connectTimeout = connectTimeout
        self.timeout = timeout
    }
}

extension CurlEasy {
    /// Sends one message over SMTP: `MAIL FROM:<envelopeFrom>`, one `RCPT TO` per recipient, then the
    /// bytes as DATA (libcurl dot-stuffs and ends them). The connection stays open for the next
    /// message to the same server.
    public func sendMail(
        envelopeFrom: String, recipients: [String], message: [UInt8], options: SMTPOptions
    ) -> SMTPReply {
        curl_easy_reset(handle)
        postOptions = nil
        box.reset(maxBody: 0)
        box.upload = message
        let unmanaged = Unmanaged.passUnretained(box).toOpaque()
        var list: UnsafeMutablePointer<curl_slist>? = nil
        for recipient in recipients { list = curl_slist_append(list, "<\(recipient)>") }
        defer { curl_slist_free_all(list) }

        _ = herald_curl_setopt_string(handle, CURLOPT_URL, options.url)
        _ = herald_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
        _ = herald_curl_setopt_string(handle, CURLOPT_MAIL_FROM, "<\(envelopeFrom)>")
        _ = herald_curl_setopt_slist(handle, CURLOPT_MAIL_RCPT, list)
        _ = herald_curl_setopt_long(handle, CURLOPT_UPLOAD, 1)
        _ = herald_curl_setopt_off_t(handle, CURLOPT_INFILESIZE_LARGE, curl_off_t(message.count))
        _ = herald_curl_setopt_read_function(handle, curlReadUpload)
        _ = herald_curl_setopt_pointer(handle, CURLOPT_READDATA, unmanaged)
        _ = herald_curl_setopt_header_function(handle, curlWriteHeader)
        _ = herald_curl_setopt_pointer(handle, CURLOPT_HEADERDATA, unmanaged)
        _ = herald_curl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, Int(options.connectTimeout))
        _ = herald_curl_setopt_long(handle, CURLOPT_TIMEOUT_MS, Int(options.timeout))
        _ = herald_curl_setopt_string(handle, CURLOPT_PROTOCOLS_STR, "smtp,smtps")
        let useSSL: Int
        switch options.startTLS {
        case .required: useSSL = Int(CURLUSESSL_ALL.rawValue)
        case .opportunistic: useSSL = Int(CURLUSESSL_TRY.rawValue)
        case .off: useSSL = Int(CURLUSESSL_NONE.rawValue)
        }
        if !options.implicitTLS { _ = herald_curl_setopt_long(handle, CURLOPT_USE_SSL, useSSL) }
        if let username = options.username { _ = herald_curl_setopt_string(handle, CURLOPT_USERNAME, username) }
        if let password = options.password { _ = herald_curl_setopt_string(handle, CURLOPT_PASSWORD, password) }
        if let caFile = options.caFile { _ = herald_curl_setopt_string(handle, CURLOPT_CAINFO, caFile) }

        let code = curl_easy_perform(handle)
        var status = 0
        _ = herald_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        // The header callback collected the server's final reply lines. After a refusal libcurl
        // sends QUIT, so take the last line carrying the code libcurl reports, not simply the last.
        let last = box.serverLines.last { $0.hasPrefix("\(status) ") } ?? box.serverLines.last ?? ""
        // The server's words end up in errors that terminals and logs show: one line, no controls.
        return SMTPReply(
            code: status, text: DisplayText.line(last, limit: 500), curlCode: Int(code.rawValue),
            curlMessage: String(cString: curl_easy_strerror(code)))
    }
}

/// Feeds the upload buffer to libcurl.
func curlReadUpload(
    _ buffer: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ user: UnsafeMutableRawPointer?
) -> Int {
    guard let buffer, let user else { return 0 }
    let box = Unmanaged<TransferBox>.fromOpaque(user).takeUnretainedValue()
    let room = size * count
    let left = box.upload.count - box.uploadOffset
    let n = min(room, left)
    if n > 0 {
        box.upload.withUnsafeBufferPointer { source in
            guard let base = source.baseAddress else { return }
            buffer.withMemoryRebound(to: UInt8.self, capacity: n) { target in
                target.update(from: base + box.uploadOffset, count: n)
            }
        }
        box.uploadOffset += n
    }
    return n
}
