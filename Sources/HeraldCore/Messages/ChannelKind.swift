/// The protocol family of a channel instance; decides what a destination address looks like.
/// Channel *names* (`webhook`, `crm-hooks`…) are configuration; kinds are code.
public enum ChannelKind: String, Sendable, Codable, CaseIterable {
    case webhook
    case email

    /// Checks one destination address for this kind, returning why it is unacceptable.
    public func problem(with address: String) -> String? {
        switch self {
        case .webhook: DestinationRules.urlProblem(address)
        case .email: DestinationRules.emailProblem(address)
        }
    }
}
