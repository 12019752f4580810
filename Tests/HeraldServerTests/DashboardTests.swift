import Foundation
import HeraldCore
import Testing

@testable import HeraldServer

@Suite struct DashboardTests {
    @Test func languageFollowsQualitiesAndOrder() {
        #expect(DashboardLanguage.negotiate(nil) == .en)
        #expect(DashboardLanguage.negotiate("zh-CN,zh;q=0.9,en;q=0.8") == .zhCN)
        #expect(DashboardLanguage.negotiate("en-US,en;q=0.9,zh-CN;q=0.8") == .en)
        #expect(DashboardLanguage.negotiate("fr-FR, zh-TW;q=0.4, en;q=0.3") == .zhCN)
        #expect(DashboardLanguage.negotiate("de, fr;q=0.8") == .en)
        #expect(DashboardLanguage.negotiate("zh;q=0, en;q=0.1") == .en)
        #expect(DashboardLanguage.negotiate(";;,,q=") == .en)
    }

    @Test func formsDecodePlusPercentAndKeepTheFirstValue() {
        let form = DashboardForm(urlEncoded: "reason=%E5%AE%A2%E6%88%B7+said+so&channel=email&channel=sms&empty=&=x&bad=%ZZ&note=+ +")
        #expect(form["reason"] == "客户 said so")
        #expect(form["channel"] == "email")
        #expect(form["empty"] == "" && form.text("empty") == nil)
        #expect(form.text("note") == nil)
        #expect(form["bad"] == "")  // an undecodable value is empty, not a crash
        #expect(form[""] == nil)
    }

    @Test func sessionsAndCSRFTokensAreBoundToTheKey() throws {
        let keys = DashboardKeys(secret: "a-tracking-key-of-enough-length")
        let same = DashboardKeys(secret: "a-tracking-key-of-enough-length")
        let other = DashboardKeys(secret: "another-tracking-key-entirely")
        let value = keys.sign("hash|123")
        #expect(keys.verify(value) == "hash|123")
        #expect(same.verify(value) == "hash|123")  // instances sharing a key share sessions
        #expect(other.verify(value) == nil)
        var tampered = Array(value)
        tampered[2] = tampered[2] == "A" ? "B" : "A"
        #expect(keys.verify(String(tampered)) == nil)
        #expect(keys.verify("no-dot") == nil && keys.verify("a.b.c") == nil && keys.verify(String(repeating: "x", count: 2_000)) == nil)

        let nonce = DashboardKeys.nonce()
        #expect(nonce.count >= 20 && nonce != DashboardKeys.nonce())
        let token = keys.csrfToken(nonce: nonce)
        #expect(keys.checkCSRF(token, nonce: nonce))
        #expect(!keys.checkCSRF(token, nonce: DashboardKeys.nonce()))
        #expect(!other.checkCSRF(token, nonce: nonce))
        #expect(!keys.checkCSRF("", nonce: nonce))
        // Without a tracking key every process has its own random key.
        #expect(DashboardKeys(secret: nil).verify(DashboardKeys(secret: nil).sign("x")) == nil)
    }

    @Test func everyTextKeyATemplateUsesExistsInBothLanguagesAndEveryKeyIsUsed() throws {
        let pattern = try NSRegularExpression(pattern: #"\{\{[#^/]?t\.([a-z0-9_]+)\}\}"#)
        var used = Set<String>()
        for (_, text) in DashboardViews.templates {
            let range = NSRange(text.startIndex..., in: text)
            for match in pattern.matches(in: text, range: range) {
                if let r = Range(match.range(at: 1), in: text) { used.insert(String(text[r])) }
            }
        }
        // Keys the Swift code looks up itself (visit.text("…")).
        let fromCode = Set<String>([
            "sign_in", "clients", "my_clients", "resend_done", "back_to_clients", "same_channels", "resend_title", "bulk_resend",
            "bulk_done", "preview_count", "resend_all", "my_tasks", "task_done", "follow_up_made", "template_stats",
            "chart_title", "open_rate", "click_rate", "days_7", "days_30", "days_90", "not_found", "error_title",
            "csrf_refused", "outcome_reached", "outcome_voicemail", "outcome_no_answer", "outcome_wrong_number",
            "clients_by_attention", "clients_by_id", "scope_all", "scope_marketing", "scope_channel", "sign_in_expired",
            "token_expires_soon", "attempt_n", "calls_open", "calls_overdue",
        ]).union(PhoneTask.Status.allCases.map(\.rawValue))  // (a task's status, visit.text(task.status.rawValue))
        let keys = Set(DashboardStrings.entries.map(\.0))
        #expect(keys.count == DashboardStrings.entries.count, "a key is listed twice")
        #expect(used.union(fromCode).subtracting(keys).isEmpty, "missing texts: \(used.union(fromCode).subtracting(keys).sorted())")
        #expect(keys.subtracting(used).subtracting(fromCode).isEmpty, "unused texts: \(keys.subtracting(used).subtracting(fromCode).sorted())")
        for (key, en, zh) in DashboardStrings.entries {
            #expect(!en.isEmpty && !zh.isEmpty && en != zh || key == "csm", "\(key) is not translated")
        }
    }

    @Test func everyTemplateParsesAndRendersEscaped() throws {
        let views = try DashboardViews()
        var visit = DashboardVisit(language: .zhCN, csrf: "csrf-token-value")
        visit.path = "/dashboard/clients"
        visit.query = [("tier", "a b&c")]
        visit.token = APIToken(id: "tok_1", name: "wang", scopes: [.resend], prefix: "hrld_x", createdAt: 0, revokedAt: nil, csm: "w@x.example")
        let html = views.render("clients", title: "<t>", visit: visit, nav: "clients", values: [
            "heading": "我的客户", "has_clients": true,
            "clients": [["id": "x", "name": "<script>alert(1)</script>", "tier": "t", "stage": "", "csm": "", "unopened": "2", "important": "1", "attention": true]],
        ])
        #expect(html.hasPrefix("<!DOCTYPE html>") && html.contains(#"<html lang="zh-CN">"#))
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;") && !html.contains("<script>"))
        #expect(html.contains("<title>&lt;t&gt; · Herald</title>"))
        #expect(html.contains(#"name="_csrf" value="csrf-token-value""#))
        #expect(html.contains(#"<a href="/dashboard/clients" aria-current="page">我的客户</a>"#))
        #expect(html.contains(#"class="attention""#) && html.contains(#"<span class="badge">1</span>"#))
        for name in DashboardViews.templates.keys where name != "layout" {
            #expect(views.render(name, title: name, visit: visit).contains("</main>"), "\(name) renders inside the layout")
        }
        #expect(DashboardViews.switchURL(visit) == "/dashboard/clients?tier=a%20b%26c&lang=en")
        #expect(DashboardViews.time(0)?["text"] == "1970-01-01 00:00 UTC")
        #expect(DashboardViews.time(nil) == nil)
    }

    @Test func chartEscapesLabelsAndScalesBars() throws {
        var row = TemplateStats(template: "<b>welcome</b>", tier: "strategic", locale: "zh-CN", channel: "email", deliveries: 4, sent: 4, opened: 3, clicked: 1)
        let svg = try #require(StatsChart.svg([row], title: "T & C", openLabel: "Open", clickLabel: "Click"))
        #expect(svg.contains("&lt;b&gt;welcome&lt;/b&gt;") && !svg.contains("<b>"))
        #expect(svg.contains("T &amp; C"))
        #expect(svg.contains("75 %") && svg.contains("25 %"))
        row.sent = 0
        #expect(StatsChart.svg([row], title: "", openLabel: "", clickLabel: "") == nil)
        #expect(StatsChart.percent(1.0 / 3) == "33.3 %" && StatsChart.percent(nil) == "-")
    }
}

extension DashboardTests {
    @Test func theCallsBesideMyCallsCountOpenAndOverdueInTheVisitorsLanguage() {
        let en = DashboardVisit(language: .en, csrf: "x")
        #expect(DashboardViews.callsLabel(open: 0, overdue: 0, visit: en) == nil)
        #expect(DashboardViews.callsLabel(open: 3, overdue: 0, visit: en) == "3 open")
        #expect(DashboardViews.callsLabel(open: 3, overdue: 1, visit: en) == "3 open · 1 overdue")
        #expect(DashboardViews.callsLabel(open: 100, overdue: 100, visit: en) == "99+ open · 99+ overdue")
        let zh = DashboardVisit(language: .zhCN, csrf: "x")
        #expect(DashboardViews.callsLabel(open: 2, overdue: 2, visit: zh) == "2 个待处理 · 2 个已逾期")
    }

    @Test func aTokenEndingWithinAWeekIsAnnouncedInTheVisitorsLanguage() {
        let now: Int64 = 1_796_000_000_000
        var token = APIToken(id: "tok_1", name: "wang", scopes: [.resend], prefix: "hrld_AbCd", createdAt: 0, revokedAt: nil)
        var visit = DashboardVisit(language: .en, csrf: "x")
        #expect(DashboardViews.expiryWarning(token, visit: visit, now: now) == nil)        // no expiry
        token.expiresAt = now + 8 * 86_400_000
        #expect(DashboardViews.expiryWarning(token, visit: visit, now: now) == nil)        // more than a week ahead
        token.expiresAt = now + 3 * 86_400_000
        let warning = DashboardViews.expiryWarning(token, visit: visit, now: now)
        #expect(warning == "Your sign-in token expires on \(DashboardViews.shortTime(now + 3 * 86_400_000)). Ask your administrator for a new one before then.")
        #expect(DashboardViews.shortTime(1_796_000_000_000) == "2026-11-30 00:53 UTC")
        visit = DashboardVisit(language: .zhCN, csrf: "x")
        #expect(DashboardViews.expiryWarning(token, visit: visit, now: now)?.hasPrefix("您的登录令牌将于 2026-") == true)
    }
}
