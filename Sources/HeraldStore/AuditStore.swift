import HeraldCore
import Logging

/// The audit log: who changed tokens, suppressions, subscriptions, clients and the configuration,
/// who redrove and who erased whom (``AuditEntry``). Entries are only added, never changed; `herald import` copies
/// them with the rest.
public protocol AuditStore: Sendable {
    /// Adds entries, in one transaction.
    func recordAudit(_ entries: [AuditEntry]) async throws

    /// Entries matching `query`, newest first, at most its limit.
    func audit(matching query: AuditQuery) async throws -> [AuditEntry]
}

/// Where an audit entry that could not be stored is logged instead.
public let auditFallbackLogger = Logger(label: "herald.audit")

extension AuditStore {
    /// Records what an operator just did. The change it describes has already committed, so a
    /// failure here must not turn it into an error for the caller (who would retry something done):
    /// the entry goes to the log instead, at error level, with everything it would have stored.
    public func audit(_ entry: AuditEntry, logger: Logger = auditFallbackLogger) async {
        await audit([entry], logger: logger)
    }

    /// Records several entries in one transaction (an import's), with the same fallback.
    public func audit(_ entries: [AuditEntry], logger: Logger = auditFallbackLogger) async {
        guard !entries.isEmpty else { return }
        do {
            try await recordAudit(entries)
        } catch {
            for entry in entries {
                logger.error(
                    "audit entry not stored",
                    metadata: [
                        "action": "\(entry.action.rawValue)", "actor": "\(entry.actor)", "subject": "\(entry.subject)",
                        "detail": "\(entry.detail)", "error": "\(error)",
                    ])
            }
        }
    }
}
