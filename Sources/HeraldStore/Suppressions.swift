/// What every backend's suppression list shares.
public enum Suppressions {
    /// Only addresses that can be suppressed are looked up (email addresses, phone numbers): URLs
    /// and robots never are.
    /// Read as bytes: it runs for every delivery of every enqueue (Foundation's `contains` showed
    /// in batch profiles).
    public static func canBeSuppressed(_ address: String) -> Bool {
        let bytes = address.utf8
        if bytes.first == UInt8(ascii: "+") { return true }
        return bytes.contains(UInt8(ascii: "@")) && !bytes.contains(UInt8(ascii: "/"))
    }
}
