import Foundation
import HeraldCore

/// A mailbox: an address with an optional display name (`Acme CS <cs@acme.example>`).
public struct EmailAddress: Sendable, Equatable, CustomStringConvertible {
    public var name: String?
    public var address: String

    public init(name: String? = nil, address: String) {
        self.name = name
        self.address = address
    }

    /// Parses `addr@example.com` or `Display Name <addr@example.com>`; nil when malformed or when
    /// anything could break a header line.
    public init?(parsing text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !DestinationRules.hasLineBreak(trimmed) else { return nil }
        if trimmed.hasSuffix(">"), let open = trimmed.lastIndex(of: "<") {
            let address = String(trimmed[trimmed.index(after: open)..<trimmed.index(before: trimmed.endIndex)])
            var name = trimmed[..<open].trimmingCharacters(in: .whitespaces)
            if name.hasPrefix("\"") && name.hasSuffix("\"") && name.count >= 2 { name = String(name.dropFirst().dropLast()) }
            guard DestinationRules.emailProblem(address) == nil else { return nil }
            self.init(name: name.isEmpty ? nil : name, address: address)
        } else {
            guard DestinationRules.emailProblem(trimmed) == nil else { return nil }
            self.init(address: trimmed)
        }
    }

    /// As it goes in a `From:`/`To:`/`Reply-To:` header.
    public var header: String {
        guard let name, !name.isEmpty else { return address }
        return MIMEEncoding.displayName(name) + " <" + address + ">"
    }

    public var description: String { header }
}
