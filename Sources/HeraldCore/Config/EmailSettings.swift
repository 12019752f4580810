/// SMTP and header settings of an email channel (keys of `channels/<name>.toml` with `kind = "email"`).
public struct EmailSettings: Sendable, Equatable {
    /// How STARTTLS is used on `smtp://` URLs (`smtps://` is always implicit TLS).
    public enum StartTLS: String, Sendable, Equatable, CaseIterable {
        /// Refuse to send unless the server offers STARTTLS (the default: credentials and content stay encrypted).
        case required
        /// Use STARTTLS when offered, send in clear otherwise.
        case opportunistic
        /// Never use TLS (a local relay on loopback).
        case off
    }

    /// `smtp://host:port` (plain or STARTTLS) or `smtps://host:port` (implicit TLS).
    public var smtpURL: String
    public var startTLS: StartTLS
    public var username: String?
    public var password: SecretReference?
    /// A PEM bundle of CAs to trust for the server's certificate (a private relay's internal CA).
    /// Certificates are always verified; this only widens whom to trust.
    public var caFile: String?
    /// The `From:` mailbox, e.g. `Acme Customer Success <cs@acme.example>`.
    public var from: String
    /// The envelope sender (`MAIL FROM`) where bounces go; defaults to the `From:` address.
    public var bounceAddress: String?
    /// The right-hand side of `Message-ID`s; defaults to the `From:` domain.
    public var messageIDDomain: String?
    /// `Reply-To:` when the message names no CSM.
    public var replyTo: String?
    /// An address for `List-Unsubscribe: <mailto:…>` beside the HTTPS link.
    public var unsubscribeMailto: String?

    public init(
        smtpURL: String = "smtp://127.0.0.1:25", startTLS: StartTLS = .required, username: String? = nil,
        password: SecretReference? = nil, caFile: String? = nil, from: String = "", bounceAddress: String? = nil,
        messageIDDomain: String? = nil, replyTo: String? = nil, unsubscribeMailto: String? = nil
    ) {
        self.smtpURL = smtpURL
        self.startTLS = startTLS
        self.username = username
        self.password = password
        self.caFile = caFile
        self.from = from
        self.bounceAddress = bounceAddress
        self.messageIDDomain = messageIDDomain
        self.replyTo = replyTo
        self.unsubscribeMailto = unsubscribeMailto
    }
}
