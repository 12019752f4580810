import Crypto
import Foundation
import HeraldCore

/// Twilio's request signature: `X-Twilio-Signature` = base64(HMAC-SHA1(auth token, URL + the sorted
/// POST parameters as key+value)), over the URL Twilio called — tried as given and with the
/// scheme's default port added or removed, since Twilio signs what it called.
enum TwilioSignature {
    static func isValid(_ signature: String, url: String, params: [(String, String)], authToken: String) -> Bool {
        let signed = params.sorted { $0.0 == $1.0 ? $0.1 < $1.1 : $0.0 < $1.0 }.map { $0.0 + $0.1 }.joined()
        let key = SymmetricKey(data: Data(authToken.utf8))
        return urlVariants(url).contains { candidate in
            let mac = HMAC<Insecure.SHA1>.authenticationCode(for: Data((candidate + signed).utf8), using: key)
            return ByteEncoding.constantTimeEqual(Data(mac).base64EncodedString().utf8, signature.utf8)
        }
    }

    /// The URL as given, and with the scheme's default port added or removed.
    static func urlVariants(_ url: String) -> [String] {
        guard var parts = URLComponents(string: url) else { return [url] }
        let standard = parts.scheme == "https" ? 443 : 80
        if parts.port == standard {
            parts.port = nil
        } else if parts.port == nil {
            parts.port = standard
        } else {
            return [url]
        }
        return [url, parts.string ?? url]
    }
}
