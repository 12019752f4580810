import Crypto
import Foundation
import HTTPTypes
import HeraldChannels
import HeraldCore
import HeraldStore
import Hummingbird
import Logging

/// Delivery receipts from SMS providers and call statuses from Twilio voice. Public routes, each
/// authenticated its provider's way:
/// - `POST /callbacks/twilio`: `X-Twilio-Signature` = base64(HMAC-SHA1(auth token, URL + sorted
///   params as key+value)), over the URL Twilio called (`public_url` + path), with and without an
///   explicit default port; a bad or missing signature gets 403.
/// - `POST /callbacks/aliyun/{token}`: Aliyun's HTTP batch push (a JSON array of reports) to a URL
///   holding the channel's `receipt_token`; a wrong token gets 403.
/// A receipt names its delivery (Twilio: `?delivery=` in the signed callback URL; Aliyun: `out_id`)
/// and must match that delivery's provider id. Receipts for unknown messages are logged and
/// acknowledged, so the provider stops resending them.
struct ReceiptRoutes: Sendable {
    let store: any Store
    /// The SMS channels (replaced by a reload).
    let runtime: Runtime
    let publicURL: String
    let logger: Logger

    /// (channel, auth token) of each Twilio channel, SMS and voice.
    var twilio: [(String, String)] {
        runtime.current.channels.compactMap { channel in
            guard case .twilioAuthToken(let token)? = channel.receipts else { return nil }
            return (channel.name, token)
        }
    }

    /// (channel, receipt token) of each Aliyun channel.
    var aliyun: [(String, String)] {
        runtime.current.channels.compactMap { channel in
            guard case .aliyunURLToken(let token)? = channel.receipts else { return nil }
            return (channel.name, token)
        }
    }

    func register(on router: Router<HeraldRequestContext>) {
        router.post("/callbacks/twilio") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 64 * 1024)
            let params = FormEncoding.decode(Array(body.readableBytesView))
            let query = request.uri.query.map { "?" + $0 } ?? ""
            guard let signature = request.headers.first(where: { $0.name.canonicalName == "x-twilio-signature" })?.value,
                  let channel = twilioChannel(signature: signature, url: publicURL + request.uri.path + query, params: params)
            else {
                logger.warning("twilio receipt with a bad signature refused")
                throw HeraldError.forbidden("X-Twilio-Signature does not match")
            }
            let value = { (key: String) in params.first { $0.0 == key }?.1 }
            guard let (sid, state, status) = Self.twilioStatus(value) else {
                throw HeraldError.invalid(field: "MessageSid", "a status callback has MessageSid and MessageStatus (or CallSid and CallStatus)")
            }
            // queued/sending/sent, or a call still ringing: nothing new.
            guard let state else { return Response(status: .noContent) }
            // A text that failed because the number cannot take texts: the number is suppressed on the channel.
            let unreachable = state == .failed && value("CallSid") == nil ? value("ErrorCode").flatMap { Self.twilioUnreachable[$0] } : nil
            let code = value("ErrorCode").map { " (error \($0)" + (unreachable.map { ": " + $0 } ?? "") + ")" } ?? ""
            // The delivery id is in the (signed) callback URL Herald gave with the message.
            let delivery = request.uri.queryParameters.get("delivery") ?? ""
            let found = try await store.recordReceipt(
                deliveryID: delivery, providerID: sid, channel: channel, state: state, detail: "twilio: \(status)\(code)",
                unreachable: unreachable != nil, at: Timestamps.now())
            if !found { logger.notice("twilio receipt for an unknown message ignored", metadata: ["sid": "\(sid)"]) }
            return Response(status: .noContent)
        }
        router.post("/callbacks/aliyun/:token") { request, context -> Response in
            guard let token = context.parameters.get("token"),
                  let channel = aliyun.first(where: { ByteEncoding.constantTimeEqual($0.1.utf8, token.utf8) })?.0
            else { throw HeraldError.forbidden("unknown receipt token") }
            let json = try await RequestBody.json(request, limit: 1 << 20)
            guard case .array(let reports) = json else {
                throw HeraldError.invalid(field: "(body)", "Aliyun receipts are a JSON array of reports")
            }
            for case .object(let report) in reports {
                // out_id is the delivery id Herald sent as OutId.
                guard case .string(let bizID)? = report["biz_id"], case .string(let deliveryID)? = report["out_id"] else { continue }
                let success: Bool = switch report["success"] {
                case .bool(let b)?: b
                case .string(let s)?: s == "true"
                default: false
                }
                var detail = "aliyun: "
                if case .string(let code)? = report["err_code"] { detail += code }
                if case .string(let message)? = report["err_msg"] { detail += " \(message)" }
                // (Chinese carriers' codes mix "no such number" with "switched off": no suppression.)
                let found = try await store.recordReceipt(
                    deliveryID: deliveryID, providerID: bizID, channel: channel, state: success ? .delivered : .failed, detail: detail,
                    unreachable: false, at: Timestamps.now())
                if !found { logger.notice("aliyun receipt for an unknown message ignored", metadata: ["biz_id": "\(bizID)"]) }
            }
            return JSONResponse.make(.object(["code": .int(0), "msg": .string("成功")]))
        }
    }

    /// Twilio's delivery errors that say the number will never take a text: 30005 (unknown,
    /// inactive or no longer in service) and 30006 (a landline, or a carrier SMS cannot reach).
    /// 30003 (switched off, out of coverage) is not one of them: the next text may arrive.
    static let twilioUnreachable = ["30005": "unknown destination handset", "30006": "landline or unreachable carrier"]

    /// A Twilio status callback's sid, the delivery state it reports (nil: nothing final yet) and its
    /// status as Twilio words it. Messages: delivered/read → `delivered`, undelivered/failed →
    /// `failed`. Calls: completed (answered) → `delivered`, noting a voicemail when answering
    /// machine detection says a machine answered; answered by a fax, busy, no-answer, failed,
    /// canceled → `failed`. Nil when it is neither.
    static func twilioStatus(_ value: (String) -> String?) -> (String, DeliveryState?, String)? {
        if let sid = value("CallSid"), let status = value("CallStatus") {
            switch status {
            case "completed":
                let seconds = value("CallDuration").map { ", \($0) s" } ?? ""
                switch value("AnsweredBy") ?? "" {
                case "fax": return (sid, .failed, "call answered by a fax machine")
                case let by where by.hasPrefix("machine"): return (sid, .delivered, "call answered by voicemail, message left\(seconds)")
                default: return (sid, .delivered, "call answered\(seconds)")
                }
            case "busy", "no-answer", "failed", "canceled": return (sid, .failed, "call \(status)")
            default: return (sid, nil, "call \(status)")
            }
        }
        guard let sid = value("MessageSid") ?? value("SmsSid"), let status = value("MessageStatus") ?? value("SmsStatus") else {
            return nil
        }
        switch status {
        case "delivered", "read": return (sid, .delivered, status)
        case "undelivered", "failed": return (sid, .failed, status)
        default: return (sid, nil, status)
        }
    }

    /// The Twilio channel whose auth token signed this request, or nil.
    func twilioChannel(signature: String, url: String, params: [(String, String)]) -> String? {
        twilio.first { TwilioSignature.isValid(signature, url: url, params: params, authToken: $0.1) }?.0
    }
}
