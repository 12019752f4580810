import HeraldCore

/// The TwiML a voice call runs: `<Say>` the message in the contact's language.
public enum TwiML {
    /// Twilio refuses a `Twiml` parameter longer than this (characters).
    public static let maximumLength = 4_000

    /// `<Response><Say voice language loop>text</Say></Response>`. The text is XML-escaped and
    /// characters XML cannot carry (C0 controls other than tab/newline) become spaces, so message
    /// content can never add elements (a `<Dial>`, a `<Redirect>`) to the call.
    public static func say(_ text: String, voice: String, language: String, loop: Int) -> String {
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Say voice=\"\(escaped(voice))\" language=\"\(escaped(language))\""
            + " loop=\"\(loop)\">\(escaped(text))</Say></Response>"
    }

    /// XML text and attribute escaping; XML 1.0 cannot carry C0 controls other than tab and
    /// newline (nor U+FFFE, U+FFFF), so those are read as spaces.
    static func escaped(_ text: String) -> String {
        var clean = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            let unfit = (scalar.value < 0x20 && scalar != "\t" && scalar != "\n") || scalar.value == 0xFFFE || scalar.value == 0xFFFF
            clean.append(unfit ? " " : scalar)
        }
        return HTMLText.escape(String(clean))
    }
}
