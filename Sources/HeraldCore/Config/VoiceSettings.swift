/// Settings of an automated voice channel (`kind = "voice"`, `provider = "twilio"`): Twilio's Calls
/// API places the call and reads the message to whoever answers with TwiML `<Say>` in the
/// message's language.
public struct VoiceSettings: Sendable, Equatable {
    /// API base, `https://api.twilio.com`; override for a test peer.
    public var baseURL: String
    /// Twilio Account SID.
    public var accountSID: String?
    /// Twilio auth token, by reference.
    public var authToken: SecretReference?
    /// The calling number (E.164): a Twilio number or a verified caller id.
    public var from: String?
    /// Ask for the call's outcome at `<public_url>/callbacks/twilio` (answered → `delivered`;
    /// busy, no answer, failed → `failed`).
    public var statusCallback: Bool
    /// `<Say voice="…">`: `alice` speaks the most languages among Twilio's basic voices (en-US,
    /// zh-CN, …); `Polly.*` and `Google.*` voices work too.
    public var voice: String
    /// Message locale → Twilio `<Say language>`, over the defaults: a locale with a region
    /// (`zh-CN`, `en-GB`) is used as it is, a bare language gets its usual region
    /// (``defaultLanguages``), anything else `en-US`.
    public var languages: [String: String]
    /// Twilio's answering machine detection (`MachineDetection=DetectMessageEnd`, billed per call
    /// by Twilio): on a voicemail the message is read after the beep, so it is left as a message,
    /// and the status says a machine answered.
    public var machineDetection: Bool
    /// How many times the message is read (`<Say loop>`), so a contact who picks up late hears it whole.
    public var loop: Int

    /// Bare languages → the `<Say language>` Twilio's voices speak them in.
    public static let defaultLanguages = [
        "en": "en-US", "zh": "zh-CN", "fr": "fr-FR", "de": "de-DE", "es": "es-ES", "it": "it-IT", "ja": "ja-JP",
        "ko": "ko-KR", "pt": "pt-BR", "ru": "ru-RU", "nl": "nl-NL",
    ]

    public init() {
        baseURL = "https://api.twilio.com"
        statusCallback = true
        voice = "alice"
        languages = [:]
        loop = 2
        machineDetection = false
    }

    /// The `<Say language>` for a message in `locale` (nil: English).
    public func language(for locale: String?) -> String {
        let locale = locale ?? "en"
        if let configured = languages[locale] { return configured }
        if locale.contains("-") { return locale }
        return Self.defaultLanguages[locale] ?? "en-US"
    }
}
