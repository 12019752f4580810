import Foundation
import HTTPTypes
import HeraldChannels
import HeraldCore
import HeraldStore
import Hummingbird
import Logging

/// `POST /callbacks/twilio/inbound?channel=NAME`: texts a client sends to a Twilio SMS channel's
/// number (the number's "a message comes in" webhook, signed with `X-Twilio-Signature` over the URL
/// with its `?channel=`). A STOP keyword suppresses the sender on that channel at once (an opt-out,
/// as Twilio's 21610 would at the next text); START takes that opt-out back (an operator's own
/// entry stays). Anything else is acknowledged and left alone. Answers empty TwiML.
struct InboundSMSRoutes: Sendable {
    let store: any Store
    let runtime: Runtime
    let publicURL: String
    let logger: Logger

    /// Twilio's default opt-out and opt-in keywords (a whole message, any case).
    static let stopWords: Set<String> = ["STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"]
    static let startWords: Set<String> = ["START", "YES", "UNSTOP"]

    func register(on router: Router<HeraldRequestContext>) {
        router.post("/callbacks/twilio/inbound") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 64 * 1024)
            let params = FormEncoding.decode(Array(body.readableBytesView))
            let name = request.uri.queryParameters.get("channel") ?? ""
            let query = request.uri.query.map { "?" + $0 } ?? ""
            guard let token = authToken(ofSMSChannel: name),
                let signature = request.headers.first(where: { $0.name.canonicalName == "x-twilio-signature" })?.value,
                TwilioSignature.isValid(signature, url: publicURL + request.uri.path + query, params: params, authToken: token)
            else {
                logger.warning("inbound twilio text with a bad signature or channel refused", metadata: ["channel": "\(name)"])
                throw HeraldError.forbidden("X-Twilio-Signature does not match the Twilio SMS channel named by ?channel=")
            }
            let value = { (key: String) in params.first { $0.0 == key }?.1 }
            guard let from = value("From"), DestinationRules.phoneProblem(from) == nil else {
                throw HeraldError.invalid(field: "From", "an inbound text names its sender as an E.164 number")
            }
            let now = Timestamps.now()
            let category = Suppressions.channelCategory(name)
            switch Self.keyword(body: value("Body") ?? "", optOutType: value("OptOutType")) {
            case .stop:
                _ = try await store.suppress(Suppression(
                    address: from, category: category, source: Suppression.Source.optOut.rawValue,
                    reason: "replied STOP to \(value("To") ?? "the channel's number")", createdAt: now))
                logger.info("a client opted out of texts", metadata: ["channel": "\(name)", "from": "\(from)"])
            case .start:
                let entries = try await store.suppressions(matching: SuppressionQuery(address: from, category: category))
                if entries.contains(where: { $0.source == Suppression.Source.optOut.rawValue }) {
                    _ = try await store.unsuppress(address: from, category: category)
                    logger.info("a client opted in to texts again", metadata: ["channel": "\(name)", "from": "\(from)"])
                }
            case nil:
                logger.debug("inbound text acknowledged", metadata: ["channel": "\(name)"])
            }
            var headers = HTTPFields()
            headers[.contentType] = "text/xml; charset=utf-8"
            return Response(
                status: .ok, headers: headers,
                body: .init(byteBuffer: ByteBuffer(string: #"<?xml version="1.0" encoding="UTF-8"?><Response></Response>"#)))
        }
    }

    enum Keyword { case stop, start }

    /// What a text asks: Twilio's Advanced Opt-Out says it in `OptOutType`; otherwise the whole
    /// message is one of the default keywords.
    static func keyword(body: String, optOutType: String?) -> Keyword? {
        switch optOutType?.uppercased() {
        case "STOP"?: return .stop
        case "START"?: return .start
        default: break
        }
        let word = body.trimmingCharacters(in: .whitespacesAndNewlines).uppercased()
        if stopWords.contains(word) { return .stop }
        if startWords.contains(word) { return .start }
        return nil
    }

    /// The auth token of the Twilio SMS channel `name`, or nil.
    private func authToken(ofSMSChannel name: String) -> String? {
        guard let channel = runtime.current.channels.first(where: { $0.name == name && $0.kind == .sms }),
            case .twilioAuthToken(let token)? = channel.receipts
        else { return nil }
        return token
    }
}
