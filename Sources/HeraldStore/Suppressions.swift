/// What every backend's suppression list shares.
public enum Suppressions {
    /// Only addresses that can be suppressed are looked up (email addresses, phone numbers): URLs
    /// and robots never are.
    public static func canBeSuppressed(_ address: String) -> Bool {
        (address.contains("@") && !address.contains("/")) || address.hasPrefix("+")
    }
}
