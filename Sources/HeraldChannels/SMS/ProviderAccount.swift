/// A provider refusing every message for a reason of the account's or the channel's own (its
/// credentials, balance, sender number): not the message's fault, so it is not failed. It waits
/// and retries every 5 minutes with the reason kept until an operator fixes the account, as SMTP
/// authentication refusals do; once fixed, what waited goes out and nothing was lost.
enum ProviderAccount {
    static let retryAfter: Int64 = 300_000

    static func reason(_ reply: String) -> String {
        "\(reply) (the account or the channel's settings, not this message: retried every 5 minutes until fixed)"
    }
}
