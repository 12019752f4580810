import HeraldCore

/// Automated calls through Twilio's Calls API: Twilio calls the contact and reads the message
/// (TwiML `<Say>` in the message's language). The call's outcome arrives as a status callback at
/// `<public_url>/callbacks/twilio`: answered → `delivered`; busy, no answer or failed → `failed`.
public struct VoiceChannel: Channel {
    public let name: String
    public var kind: ChannelKind { .voice }
    public let concurrency: Int
    public var attemptTimeout: Int64 { options.timeout }
    let settings: VoiceSettings
    let accountSID: String
    let from: String
    let authToken: String
    /// `<public_url>/callbacks/twilio`, or nil for no status callbacks.
    let statusCallback: String?
    /// The locale of a message that has none (`[templates] default_locale`).
    let defaultLocale: String
    let options: HTTPOptions

    public init(config: ChannelConfig, authToken: String, publicURL: String?, defaultLocale: String) throws(HeraldError) {
        guard let settings = config.voice, let accountSID = settings.accountSID, let from = settings.from else {
            throw .configuration("voice settings are missing (account_sid, auth_token, from)")
        }
        name = config.name
        concurrency = config.concurrency
        self.settings = settings
        self.accountSID = accountSID
        self.from = from
        self.authToken = authToken
        statusCallback = settings.statusCallback ? publicURL.map { $0 + "/callbacks/twilio" } : nil
        self.defaultLocale = defaultLocale
        // The API base comes from configuration; destinations are phone numbers only.
        options = HTTPOptions(
            connectTimeout: config.connectTimeout, timeout: max(config.timeout, 1_000), userAgent: config.userAgent,
            blockPrivateAddresses: false)
    }

    /// Twilio signs the call statuses with the account's auth token, as it signs SMS receipts.
    public var receipts: ReceiptCredential? { .twilioAuthToken(authToken) }

    public func makeWorker() throws -> any ChannelWorker {
        VoiceWorker(easy: try CurlEasy(), channel: self)
    }

    /// The Calls API request for one delivery; throws why it cannot be made.
    func request(_ claimed: ClaimedDelivery, content: RenderedContent) throws(HeraldError)
        -> (url: String, headers: [(String, String)], body: [UInt8])
    {
        let text = content.text ?? content.subject ?? ""
        guard !text.allSatisfy(\.isWhitespace) else {
            throw .invalid(field: "text", "a voice call needs text to read: give text, or a template with a voice version")
        }
        let language = settings.language(for: claimed.message.locale ?? defaultLocale)
        let twiml = TwiML.say(text, voice: settings.voice, language: language, loop: settings.loop)
        guard twiml.count <= TwiML.maximumLength else {
            throw .invalid(field: "text", "the call's TwiML is \(twiml.count) characters; Twilio takes at most \(TwiML.maximumLength)")
        }
        var fields = [("To", claimed.delivery.destination), ("From", from), ("Twiml", twiml)]
        // On a voicemail, Twilio waits for the greeting's end and the beep, then reads the message.
        if settings.machineDetection { fields.append(("MachineDetection", "DetectMessageEnd")) }
        // The delivery id rides in the callback URL, which Twilio signs: a status names its delivery.
        if let statusCallback { fields.append(("StatusCallback", statusCallback + "?delivery=" + claimed.delivery.id)) }
        return TwilioAPI.request(
            baseURL: settings.baseURL, accountSID: accountSID, authToken: authToken, resource: "Calls", fields: fields)
    }
}

final class VoiceWorker: ChannelWorker {
    let easy: CurlEasy
    let channel: VoiceChannel

    init(easy: CurlEasy, channel: VoiceChannel) {
        self.easy = easy
        self.channel = channel
    }

    func send(_ claimed: ClaimedDelivery, content: RenderedContent) -> ChannelAttempt {
        let request: (url: String, headers: [(String, String)], body: [UInt8])
        do {
            request = try channel.request(claimed, content: content)
        } catch {
            return ChannelAttempt(outcome: .failed(reason: error.fields.first?.reason ?? error.detail))
        }
        do {
            let response = try easy.post(url: request.url, headers: request.headers, body: request.body, options: channel.options)
            return ChannelAttempt(outcome: TwilioAPI.classify(response), statusCode: response.status)
        } catch {
            // A timeout may have placed the call: Twilio does not deduplicate, so a retry can call twice.
            return ChannelAttempt(outcome: error.outcome)
        }
    }
}
