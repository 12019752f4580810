import Foundation
import HeraldCore
@testable import HeraldDispatch
import HeraldStore
import Testing

/// The CSM digest against the real stores: one a day per CSM, whatever asks for it, even when
/// `[digest] timezone` changes during the day.
@Suite struct CSMDigestTests {
    static let templates = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("templates").path

    /// 2026-12-07 16:05 UTC: still the 7th in UTC, already the 8th in Shanghai (00:05).
    static let evening: Int64 = 1_796_659_500_000

    func digest(_ store: any Store, timezone: String) throws -> CSMDigest {
        let dir = NSTemporaryDirectory() + "herald-digest-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir + "/channels", withIntermediateDirectories: true)
        try "".write(toFile: dir + "/herald.toml", atomically: true, encoding: .utf8)
        try "kind = \"email\"\nprovider = \"outbox\"\nfrom = \"cs@acme.example\"\n"
            .write(toFile: dir + "/channels/email.toml", atomically: true, encoding: .utf8)
        let config = try ConfigLoader.load(path: dir + "/herald.toml")
        let renderer = try Self.renderer()
        return CSMDigest(config: config, store: store, renderer: renderer, settings: DigestSettings(timezone: timezone, skipEmpty: false))
    }

    static func renderer() throws -> MessageRenderer {
        MessageRenderer(library: try TemplateLibrary.load(directory: templates))
    }

    /// The digest email as the email channel renders it when it sends it.
    func rendered(_ planned: PlannedMessage) throws -> (subject: String, html: String) {
        let m = planned.message
        let content = try Self.renderer().render(
            template: m.template ?? "", subject: nil, text: nil, html: nil, data: try JSONValue.parse(Array(m.data.utf8)),
            locale: m.locale ?? "en", channel: .email)
        return (content.subject ?? "", content.html ?? "")
    }

    func book(_ store: any Store, now: Int64) async throws {
        for (id, csm) in [("acme", CSM(name: "Wang", email: "Wang@cs.example")), ("gamma", CSM(name: "Zhao", email: "zhao@cs.example"))] {
            _ = try await store.upsertClient(Client(
                id: id, name: id.uppercased(), tier: "strategic", csm: csm,
                contacts: [Contact(id: "li", email: "li@\(id).example")], createdAt: now, updatedAt: now))
        }
    }

    func statuses(_ outcomes: [(CSMDigest.Report, CSMDigest.Outcome)]) -> [String: String] {
        Dictionary(uniqueKeysWithValues: outcomes.map { ($0.0.email, $0.1.label) })
    }

    @Test(arguments: StoreBackend.allCases)
    func oneDigestADayPerCSMEvenWhenTheTimeZoneChanges(backend: StoreBackend) async throws {
        let (store, cleanup) = try await backend.make()
        defer { cleanup() }
        let now = Self.evening
        try await book(store, now: now - 86_400_000)

        let utc = try digest(store, timezone: "UTC")
        let preview = try await utc.send(now: now, dryRun: true)
        #expect(statuses(preview) == ["wang@cs.example": "would_send", "zhao@cs.example": "would_send"])
        let first = try await utc.send(now: now, csm: "wang@cs.example")
        #expect(statuses(first) == ["wang@cs.example": "sent"])
        guard case .sent(let wangID) = try #require(first.first).1 else { Issue.record("not sent: \(first)"); return }

        // The same day in UTC: Wang's is already sent (also in a preview), Zhao's goes now.
        let later = try await utc.send(now: now + 60_000)
        #expect(statuses(later) == ["wang@cs.example": "already_sent", "zhao@cs.example": "sent"])
        #expect(statuses(try await utc.send(now: now + 60_000, dryRun: true)) == ["wang@cs.example": "already_sent", "zhao@cs.example": "already_sent"])

        // The operator moves [digest] to Shanghai, where it is the 8th already: no second digest
        // today, though the day's key (its date) is new.
        let shanghai = try digest(store, timezone: "Asia/Shanghai")
        let moved = try await shanghai.send(now: now + 120_000)
        #expect(moved.first { $0.0.email == "wang@cs.example" }?.1 == .alreadySent(messageID: wangID))
        #expect(statuses(moved) == ["wang@cs.example": "already_sent", "zhao@cs.example": "already_sent"])

        // The next Shanghai day brings the next digest.
        let tomorrow = try await shanghai.send(now: now + 86_400_000)
        #expect(statuses(tomorrow) == ["wang@cs.example": "sent", "zhao@cs.example": "sent"])
        let all = try await store.messages(matching: MessageQuery(template: "csm-digest", limit: 50)).items
        #expect(all.count == 4)
    }
    @Test(arguments: StoreBackend.allCases)
    func aBusyDayListsTheFirstCallsAndNewestFailuresAndCountsThemAll(backend: StoreBackend) async throws {
        let (store, cleanup) = try await backend.make()
        defer { cleanup() }
        let now = Self.evening
        try await book(store, now: now - 3 * 86_400_000)
        // 55 calls due for Wang today; 25 emails to Wang's client failed today, one two days ago.
        for _ in 0..<55 { _ = try await StoreTaskTests.openedCall(store, now: now) }
        _ = try await store.enqueue([Fixtures.planned(to: [("email", "li@acme.example")], clientID: "acme", now: now - 2 * 86_400_000)])
        try await Fixtures.fail(store, channel: "email", now: now - 2 * 86_400_000)
        for minute in 0..<25 {
            let at = now - 3_600_000 + Int64(minute) * 60_000
            _ = try await store.enqueue([Fixtures.planned(to: [("email", "li@acme.example")], text: "no. \(minute)", clientID: "acme", now: at)])
            try await Fixtures.fail(store, channel: "email", now: at)
        }

        let digest = try digest(store, timezone: "UTC")
        let report = try #require(try await digest.reports(now: now, csm: "wang@cs.example").first)
        #expect(report.taskTotal == 55 && report.tasks.count == CSMDigest.listed)
        #expect(report.failureTotal == 25 && report.failures.count == CSMDigest.listedFailures)
        #expect(report.failures.map(\.message.text) == (5..<25).reversed().map { "no. \($0)" })   // the newest first

        let (planned, skipped) = digest.email(report, now: now)
        let mail = try rendered(try #require(planned, "\(skipped)"))
        #expect(mail.subject.contains("55 calls, 25 failed deliveries"), "\(mail.subject)")
        #expect(mail.html.contains("5 more calls are not listed") && mail.html.contains("5 more are not listed"))
        // Each failure links to its client's page on the dashboard, where it is resent.
        #expect(mail.html.contains(#"<a href="http://127.0.0.1:8470/dashboard/clients/acme">ACME</a>"#))
        #expect(mail.html.contains(#"href="http://127.0.0.1:8470/dashboard/clients?csm=wang%40cs.example""#))

        // A quiet day has no such lines.
        let zhao = try #require(try await digest.reports(now: now, csm: "zhao@cs.example").first)
        #expect(zhao.taskTotal == 0 && zhao.failureTotal == 0)
        let quiet = try rendered(try #require(digest.email(zhao, now: now).0))
        #expect(quiet.subject.contains("0 calls, 0 failed deliveries") && !quiet.html.contains("not listed"))
    }
    @Test func dashboardLinksEncodeWhatTheyCarry() {
        let links = DashboardLinks(publicURL: "https://herald.acme.example")
        #expect(links.client("xinghe") == "https://herald.acme.example/dashboard/clients/xinghe")
        #expect(links.client("a b/c?d#e") == "https://herald.acme.example/dashboard/clients/a%20b%2Fc%3Fd%23e")
        #expect(links.clients(csm: "wang+cs@acme.example") == "https://herald.acme.example/dashboard/clients?csm=wang%2Bcs%40acme.example")
        #expect(links.clients(csm: "a&b=c#d@x.example") == "https://herald.acme.example/dashboard/clients?csm=a%26b%3Dc%23d%40x.example")
        #expect(links.task("tsk_01") == "https://herald.acme.example/dashboard/tasks/tsk_01")
    }
}
