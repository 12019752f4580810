import HeraldCore
import HeraldStore
import Logging
import Testing

/// The audit log on both backends: entries read back newest first, filtered, paged; and the
/// operator actions that write them (tokens, suppressions, client deletion).
@Suite struct StoreAuditTests {
    @Test(arguments: StoreBackend.allCases)
    func entriesComeBackNewestFirstFilteredAndPaged(backend: StoreBackend) async throws {
        let (store, cleanup) = try await backend.make()
        defer { cleanup() }
        let t0 = Timestamps.now() - 60_000
        let entries: [AuditEntry] = [
            .make(.tokenCreated, subject: "crm", detail: "scopes send", actor: "cli:root", at: t0),
            .make(.suppressionAdded, subject: "li@xinghe.example", detail: "all: legal hold", actor: "token:ops", at: t0 + 1_000),
            .make(.tokenRevoked, subject: "crm", actor: "token:ops", at: t0 + 2_000),
            .make(.clientDeleted, subject: "beta", detail: "0 messages stopped", actor: "cli:root", at: t0 + 3_000),
        ]
        try await store.recordAudit(entries)
        #expect(try await store.audit(matching: AuditQuery()) == entries.reversed())
        // One action, or every action of a kind.
        #expect(try await store.audit(matching: AuditQuery(action: "token.revoked")).map(\.action) == [.tokenRevoked])
        #expect(try await store.audit(matching: AuditQuery(action: "token")).map(\.action) == [.tokenRevoked, .tokenCreated])
        #expect(try await store.audit(matching: AuditQuery(action: "tok")).isEmpty)
        #expect(try await store.audit(matching: AuditQuery(action: "nothing.such")).isEmpty)
        // By actor, by subject, by time.
        #expect(try await store.audit(matching: AuditQuery(actor: "token:ops")).map(\.subject) == ["crm", "li@xinghe.example"])
        #expect(try await store.audit(matching: AuditQuery(subject: "crm")).map(\.action) == [.tokenRevoked, .tokenCreated])
        #expect(try await store.audit(matching: AuditQuery(since: t0 + 1_000, until: t0 + 3_000)).map(\.action)
            == [.tokenRevoked, .suppressionAdded])
        // Paged: each page continues before the last id of the one before.
        let first = try await store.audit(matching: AuditQuery(limit: 3))
        #expect(first == Array(entries.reversed().prefix(3)))
        #expect(try await store.audit(matching: AuditQuery(before: first.last?.id, limit: 3)) == [entries[0]])
    }

    @Test(arguments: StoreBackend.allCases)
    func operatorActionsAreRecordedWithTheirActor(backend: StoreBackend) async throws {
        let (store, cleanup) = try await backend.make()
        defer { cleanup() }
        let now = Timestamps.now()
        // Tokens: created, rotated, revoked; a revocation of nothing records nothing.
        let request = TokenRequest(name: "crm", scopes: [.send, .read], rateLimit: 20, csm: nil, expiresAt: nil)
        _ = try await TokenIssuer.create(request, actor: "cli:root", store: store, now: now)
        let rotated = try #require(try await TokenIssuer.rotate(
            name: "crm", grace: 3_600_000, expiresAt: nil, actor: "token:ops", store: store, now: now + 1))
        #expect(try await TokenIssuer.revoke(name: "crm", actor: "token:ops", store: store, now: now + 2))
        #expect(try await TokenIssuer.revoke(name: "crm", actor: "token:ops", store: store, now: now + 3) == false)
        let tokens = try await store.audit(matching: AuditQuery(action: "token"))
        #expect(tokens.map(\.action) == [.tokenRevoked, .tokenRotated, .tokenCreated])
        #expect(tokens.map(\.actor) == ["token:ops", "token:ops", "cli:root"])
        #expect(tokens[2].detail == "scopes read,send; rate limit 20/s")
        #expect(tokens[1].detail.contains(rotated.retired.name))

        // Suppressions: an operator's entry; the same again adds nothing; a forced removal of an
        // unsubscribe keeps what it removed and why.
        let hold = Suppression(
            address: "Li@XingHe.example", category: "all", source: Suppression.Source.manual.rawValue, reason: "legal hold",
            actor: "token:ops", createdAt: now)
        #expect(try await store.addSuppression(hold, actor: "token:ops").created)
        #expect(try await store.addSuppression(hold, actor: "token:ops").created == false)
        _ = try await store.suppress(Suppression(
            address: "ann@beta.example", category: "marketing", source: Suppression.Source.unsubscribe.rawValue,
            reason: "unsubscribed", createdAt: now))
        await #expect(throws: HeraldError.self) {
            try await store.removeSuppression(address: "ann@beta.example", category: nil, force: false, actor: "cli:root", now: now)
        }
        _ = try await store.removeSuppression(
            address: "ANN@beta.example", category: nil, force: true, reason: "asked to resubscribe on 2026-12-01", actor: "cli:root",
            now: now)
        let suppressions = try await store.audit(matching: AuditQuery(action: "suppression"))
        #expect(suppressions.map(\.action) == [.suppressionRemoved, .suppressionAdded])
        #expect(suppressions[0].subject == "ann@beta.example" && suppressions[0].actor == "cli:root")
        #expect(suppressions[0].detail == "marketing (unsubscribe: unsubscribed); forced; why: asked to resubscribe on 2026-12-01")
        #expect(suppressions[1].subject == "li@xinghe.example" && suppressions[1].detail == "all: legal hold")
    }
}

/// An audit log whose writes fail: the change it describes has committed already.
private struct UnwritableAuditLog: AuditStore {
    struct Full: Error {}
    func recordAudit(_ entries: [AuditEntry]) async throws { throw Full() }
    func audit(matching query: AuditQuery) async throws -> [AuditEntry] { [] }
}

@Suite struct AuditFallbackTests {
    @Test func anEntryThatCannotBeStoredGoesToTheLogWithEveryField() async throws {
        let (logger, records) = LogStream.make()
        let entry = AuditEntry.make(
            .suppressionRemoved, subject: "ann@beta.example", detail: "marketing (unsubscribe: unsubscribed); forced",
            actor: "token:ops", at: 1_765_000_000_000)
        await UnwritableAuditLog().audit(entry, logger: logger)   // does not throw: the caller's change stands
        let logged = try #require(await records.first { $0.message == "audit entry not stored" })
        #expect(logged.level == .error)
        #expect(logged.metadata["action"] == "suppression.removed" && logged.metadata["actor"] == "token:ops")
        #expect(logged.metadata["subject"] == "ann@beta.example" && logged.metadata["detail"] == entry.detail)
        #expect(logged.metadata["error"]?.contains("Full") == true)
    }
}
