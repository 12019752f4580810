import Foundation

/// Where a secret lives. Secrets never sit in config files in clear.
public enum SecretReference: Sendable, Equatable, CustomStringConvertible {
    /// An environment variable.
    case environment(String)
    /// A file (absolute after loading); trailing newlines are trimmed.
    case file(String)
    /// A systemd credential: `$CREDENTIALS_DIRECTORY/<name>` (`LoadCredential=`).
    case credential(String)

    /// Parses `env:NAME`, `file:PATH` or `credential:NAME`; anything else is refused.
    public init(parsing text: String) throws(HeraldError) {
        if let name = text.strip(prefix: "env:"), !name.isEmpty {
            self = .environment(name)
        } else if let path = text.strip(prefix: "file:"), !path.isEmpty {
            self = .file(path)
        } else if let name = text.strip(prefix: "credential:"), !name.isEmpty, !name.contains("/") {
            self = .credential(name)
        } else {
            throw .configuration("a secret must be a reference (env:NAME, file:PATH or credential:NAME), not a literal value")
        }
    }

    /// Safe to log: names where the secret is, never the secret.
    public var description: String {
        switch self {
        case .environment(let name): "env:\(name)"
        case .file(let path): "file:\(path)"
        case .credential(let name): "credential:\(name)"
        }
    }

    /// Reads the secret.
    public func resolve(environment: [String: String] = ProcessInfo.processInfo.environment) throws(HeraldError) -> String {
        let value: String
        switch self {
        case .environment(let name):
            guard let v = environment[name], !v.isEmpty else {
                throw .configuration("secret \(description): environment variable \(name) is not set")
            }
            value = v
        case .file(let path):
            value = try Self.read(path, label: description)
        case .credential(let name):
            guard let dir = environment["CREDENTIALS_DIRECTORY"], !dir.isEmpty else {
                throw .configuration("secret \(description): $CREDENTIALS_DIRECTORY is not set (use LoadCredential= in the unit)")
            }
            value = try Self.read(dir + "/" + name, label: description)
        }
        let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw .configuration("secret \(description) is empty") }
        return trimmed
    }

    private static func read(_ path: String, label: String) throws(HeraldError) -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .configuration("secret \(label): cannot read \(path)")
        }
        return String(decoding: data, as: UTF8.self)
    }
}

extension String {
    func strip(prefix: String) -> String? {
        hasPrefix(prefix) ? String(dropFirst(prefix.count)) : nil
    }
}
