import Foundation
import HeraldCore
import Testing

@Suite struct TemplateLibraryTests {
    /// The shipped set: every template in both locales, and each renders with its documented data.
    static let shipped = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("templates").path

    static let sampleData: [String: JSONValue] = [
        "first_name": .string("李雷"), "company": .string("星河科技"), "product_name": .string("Acme"),
        "csm_name": .string("王芳"), "csm_email": .string("wang.fang@acme.example"),
        "start_url": .string("https://app.acme.example/start"), "client_name": .string("星河科技"),
        "plan": .string("企业版"), "signed_on": .string("2026-11-20"), "schedule_url": .string("https://crm.example/c/1"),
        "milestone": .string("数据接入"), "completed": .array([.object(["item": .string("接入 CRM")])]),
        "next_steps": .array([.object(["step": .string("搭建第一个看板")])]), "training_url": .string("https://acme.example/t"),
        "days_inactive": .int(21), "best_practice_title": .string("每周例会看板"), "best_practice_url": .string("https://acme.example/bp"),
        "feature_name": .string("自动化规则"), "benefit": .string("节省每周数小时的手工操作"), "guide_url": .string("https://acme.example/g"),
        "period": .string("2026 年第四季度"), "proposed_date": .string("2026-12-10 14:00"),
        "agenda": .array([.object(["topic": .string("成果回顾")])]), "booking_url": .string("https://acme.example/b"),
        "renewal_date": .string("2026-12-23"), "days_left": .int(30), "renewal_url": .string("https://acme.example/r"),
    ]

    static let lifecycle = ["ebr-invite", "feature-adoption", "inactivity-nudge", "kickoff-reminder", "onboarding-milestone",
                            "renewal-reminder", "welcome"]

    @Test func shippedSetIsCompleteAndRendersInBothLocales() throws {
        let library = try TemplateLibrary.load(directory: Self.shipped)
        let expected = Self.lifecycle
        #expect(library.names == ["csm-digest", "csm-handover", "csm-task"] + expected.prefix(6) + ["task-overdue", "welcome"])
        let renderer = MessageRenderer(library: library)
        for name in expected {
            for locale in ["zh-CN", "en"] {
                #expect(library.file(name: name, channel: "email", locale: locale)?.locale == locale)
                let content = try renderer.render(
                    template: name, subject: nil, text: nil, html: nil, data: .object(Self.sampleData), locale: locale,
                    channel: .email)
                #expect(content.subject?.isEmpty == false && content.subject?.contains("{{") == false)
                #expect(content.html?.contains("<html lang=\"\(locale)\">") == true)
                #expect(content.text?.contains("<") == false, "\(name).\(locale) text part has markup")
            }
        }
    }

    @Test func shippedRobotTemplatesRenderAsMarkdownWithinTheSmallestLimit() throws {
        let library = try TemplateLibrary.load(directory: Self.shipped)
        let renderer = MessageRenderer(library: library)
        for name in ["welcome", "kickoff-reminder", "onboarding-milestone", "ebr-invite"] {
            for kind in [ChannelKind.wecom, .dingtalk, .feishu] {
                for locale in ["zh-CN", "en"] {
                    #expect(library.file(name: name, channel: kind.rawValue, locale: locale)?.locale == locale)
                    let content = try renderer.render(
                        template: name, subject: nil, text: nil, html: nil, data: .object(Self.sampleData), locale: locale,
                        channel: kind)
                    #expect(content.markdown && content.html == nil)
                    #expect(content.subject?.isEmpty == false && content.subject?.contains("{{") == false)
                    let body = try #require(content.text)
                    #expect(!body.contains("{{") && body.utf8.count < 4_096, "\(name)/\(kind).\(locale)")
                    // Invitations and welcomes are cards with one button where the platform has them.
                    let card = name == "ebr-invite" || (name == "welcome" && kind != .wecom)
                    #expect((content.link != nil) == card, "\(name)/\(kind).\(locale)")
                    if card { #expect(content.link?.url.hasPrefix("https://") == true && !body.contains("](http")) }
                }
            }
        }
    }

    /// Every lifecycle template has talking points for the CSM's call: a reason and plain text.
    @Test func shippedPhoneTemplatesGiveAReasonAndTalkingPoints() throws {
        let library = try TemplateLibrary.load(directory: Self.shipped)
        let renderer = MessageRenderer(library: library)
        for name in Self.lifecycle {
            for locale in ["zh-CN", "en"] {
                #expect(library.file(name: name, channel: "phone", locale: locale)?.locale == locale, "\(name) phone.\(locale)")
                let content = try renderer.render(
                    template: name, subject: nil, text: nil, html: nil, data: .object(Self.sampleData), locale: locale,
                    channel: .phone)
                #expect(content.subject?.isEmpty == false && content.subject?.contains("{{") == false)
                let points = try #require(content.text)
                #expect(points.count > 40 && !points.contains("{{") && !points.contains("<"), "\(name) phone.\(locale)")
            }
        }
    }

    /// The handover email lists every client with its open calls, the counts, and the note when
    /// there is one (escaped: it is free text from an operator).
    @Test func theHandoverEmailRendersInBothLocales() throws {
        let renderer = MessageRenderer(library: try TemplateLibrary.load(directory: Self.shipped))
        func data(note: String?, tasks: Int) -> JSONValue {
            .object([
                "csm_name": .string("张伟"), "csm_email": .string("zhang.wei@acme.example"), "from_name": .string("王芳"),
                "from_email": .string("wang.fang@acme.example"), "client_count": .int(2),
                "clients": .array([
                    .object(["client_name": .string("星河科技"), "client_id": .string("xinghe"), "tier": .string("strategic"),
                             "client_url": .string("https://herald.acme.example/dashboard/clients/xinghe"),
                             "stage": .string("onboarding"), "open_tasks": .int(Int64(tasks))]),
                    .object(["client_name": .string("月海"), "client_id": .string("yuehai"), "tier": .string("smb"),
                             "client_url": .string("https://herald.acme.example/dashboard/clients/yuehai"),
                             "stage": .string("—"), "open_tasks": .int(0)]),
                ]),
                "task_count": .int(Int64(tasks)), "has_tasks": .bool(tasks > 0), "message_count": .int(0), "has_messages": .bool(false),
                "note": note.map(JSONValue.string) ?? .null,
                "dashboard_url": .string("https://herald.acme.example/dashboard/clients?csm=zhang.wei@acme.example"),
            ])
        }
        for locale in ["zh-CN", "en"] {
            let full = try renderer.render(
                template: "csm-handover", subject: nil, text: nil, html: nil, data: data(note: "续约在 3 月 <重要>", tasks: 1),
                locale: locale, channel: .email)
            #expect(full.subject?.contains("王芳") == true && full.subject?.contains("2") == true, "\(locale)")
            let html = try #require(full.html)
            #expect(html.contains("星河科技") && html.contains("xinghe") && html.contains("月海") && html.contains("续约在 3 月 &lt;重要&gt;"))
            #expect(full.tracking == false)
            #expect(html.contains(#"<a href="https://herald.acme.example/dashboard/clients/xinghe">星河科技</a>"#))
            #expect(html.contains(#"href="https://herald.acme.example/dashboard/clients?csm=zhang.wei@acme.example""#))
            let bare = try renderer.render(
                template: "csm-handover", subject: nil, text: nil, html: nil, data: data(note: nil, tasks: 0), locale: locale,
                channel: .email)
            let plain = try #require(bare.html)
            #expect(!plain.contains("<pre") && !plain.contains(locale == "en" ? "open call tasks are now" : "待办电话任务已转到"))
            #expect(html.contains(locale == "en" ? "open call tasks are now" : "待办电话任务已转到"))
        }
    }

    /// The notices about tasks render on every channel a CSM can be told on, in both locales.
    @Test func taskNoticesRenderEverywhere() throws {
        let renderer = MessageRenderer(library: try TemplateLibrary.load(directory: Self.shipped))
        let data: JSONValue = .object([
            "task_id": .string("tsk_1"), "message_id": .string("msg_1"), "reason": .string("Welcome call <b>"),
            "talking_points": .string("1. hello"), "phone": .string("+8613800138000"), "contact_name": .string("李雷"),
            "attempt": .int(2), "follow_up": .bool(true), "due": .string("2026-11-24 10:00 (Asia/Shanghai)"),
            "timezone": .string("Asia/Shanghai"), "csm_name": .string("王芳"), "client_name": .string("星河科技"),
            "client_id": .string("c1"), "overdue_by": .string("1h 5m"),
            "task_url": .string("https://herald.acme.example/dashboard/tasks/tsk_1"),
            "client_url": .string("https://herald.acme.example/dashboard/clients/c1"),
        ])
        for locale in ["zh-CN", "en"] {
            for kind in [ChannelKind.email, .wecom, .dingtalk, .feishu] {
                let content = try renderer.render(
                    template: "csm-task", subject: nil, text: nil, html: nil, data: data, locale: locale, channel: kind)
                #expect(content.subject?.contains("李雷") == true, "\(kind) \(locale)")
                #expect(content.text?.contains("tsk_1") == true)
                // Each notice links the task's page on the dashboard, where its outcome is recorded.
                if kind != .email { #expect(content.text?.contains("[tsk_1](https://herald.acme.example/dashboard/tasks/tsk_1)") == true) }
                if kind == .email {
                    #expect(content.html?.contains(#"<a href="https://herald.acme.example/dashboard/tasks/tsk_1">"#) == true)
                    #expect(content.html?.contains("Welcome call &lt;b&gt;") == true)
                    #expect(content.tracking == false)
                }
            }
            let overdue = try renderer.render(
                template: "task-overdue", subject: nil, text: nil, html: nil, data: data, locale: locale, channel: .email)
            #expect(overdue.text?.contains("1h 5m") == true)
            #expect(overdue.html?.contains("/dashboard/tasks/tsk_1") == true)
        }
    }

    @Test func cardLinksMustRenderToWebURLs() throws {
        let dir = NSTemporaryDirectory() + "herald-templates-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir + "/invite", withIntermediateDirectories: true)
        try "---\ntitle: Hi\nlink: {{url}}\n---\nJoin us".write(toFile: dir + "/invite/dingtalk.zh-CN.mustache", atomically: true, encoding: .utf8)
        let renderer = MessageRenderer(library: try TemplateLibrary.load(directory: dir))
        let ok = try renderer.render(template: "invite", subject: nil, text: nil, html: nil,
                                     data: .object(["url": .string("https://acme.example/b")]), locale: "zh-CN", channel: .dingtalk)
        #expect(ok.link == ContentLink(url: "https://acme.example/b", title: "查看详情"))   // default label by locale
        for bad in ["javascript:alert(1)", "https://acme.example/a b", "/relative"] {
            #expect(throws: HeraldError.self, "\(bad)") {
                _ = try renderer.render(template: "invite", subject: nil, text: nil, html: nil,
                                        data: .object(["url": .string(bad)]), locale: "zh-CN", channel: .dingtalk)
            }
        }
        // Email templates have no cards.
        try FileManager.default.createDirectory(atPath: dir + "/bad", withIntermediateDirectories: true)
        try "---\nsubject: x\nlink: https://a.example\n---\n<p>x</p>".write(toFile: dir + "/bad/email.en.mustache", atomically: true, encoding: .utf8)
        #expect(throws: HeraldError.self) { _ = try TemplateLibrary.load(directory: dir) }
    }

    @Test func missingDataIsNamed() throws {
        let renderer = MessageRenderer(library: try TemplateLibrary.load(directory: Self.shipped))
        #expect {
            _ = try renderer.render(template: "welcome", subject: nil, text: nil, html: nil,
                                    data: .object(["first_name": .string("Li")]), locale: "en", channel: .email)
        } throws: { error in
            let reason = (error as? HeraldError)?.fields.first?.reason ?? ""
            return reason.contains("welcome/email.en") && reason.contains("'product_name'") && reason.contains("'csm_name'")
        }
    }

    @Test(arguments: [("zh-CN", "zh-CN"), ("zh", "zh-CN"), ("zh-TW", "zh-CN"), ("en-GB", "en"), ("fr", "en"), (nil, "en")] as [(String?, String)])
    func localeFallback(asked: String?, served: String) throws {
        let library = try TemplateLibrary.load(directory: Self.shipped)
        #expect(library.file(name: "welcome", channel: "email", locale: asked)?.locale == served)
    }

    @Test func unknownTemplatesAndChannelsAreRefusedWithWhatExists() throws {
        let renderer = MessageRenderer(library: try TemplateLibrary.load(directory: Self.shipped))
        #expect {
            _ = try renderer.render(template: "welcom", subject: nil, text: nil, html: nil, data: .object([:]), locale: nil, channel: .email)
        } throws: { ((($0 as? HeraldError)?.fields.first?.reason) ?? "").contains("known: csm-digest, csm-handover, csm-task, ebr-invite") }
    }

    @Test func brokenFilesAreReportedWithTheirPath() throws {
        let dir = NSTemporaryDirectory() + "herald-templates-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir + "/welcome", withIntermediateDirectories: true)
        try "---\nsubject: Hi\nbogus: 1\n---\n<p>x</p>".write(toFile: dir + "/welcome/email.en.mustache", atomically: true, encoding: .utf8)
        try "<p>no subject</p>".write(toFile: dir + "/welcome/email.fr.mustache", atomically: true, encoding: .utf8)
        try "---\nsubject: Hi\n---\n{{#open}}".write(toFile: dir + "/welcome/email.de.mustache", atomically: true, encoding: .utf8)
        #expect {
            _ = try TemplateLibrary.load(directory: dir)
        } throws: { error in
            let detail = (error as? HeraldError)?.detail ?? ""
            return detail.contains("email.en.mustache:3: unknown front matter key 'bogus'")
                && detail.contains("email.fr.mustache: email templates need a 'subject:'")
                // The body starts on the file's fourth line; the open section is never closed.
                && detail.contains("email.de.mustache:4:")
                && detail.contains(": the body is not a valid Mustache template: a section ({{#name}} or {{^name}}) is never closed")
        }
    }

    @Test func ownTextPartWinsAndTrackingCanBeTurnedOff() throws {
        let dir = NSTemporaryDirectory() + "herald-templates-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir + "/notice", withIntermediateDirectories: true)
        try "---\nsubject: Notice for {{name}}\ntracking: false\n---\n<p>Hello <a href=\"https://x.example/a?b=1&amp;c=2\">there</a></p>"
            .write(toFile: dir + "/notice/email.en.mustache", atomically: true, encoding: .utf8)
        let derived = try MessageRenderer(library: try TemplateLibrary.load(directory: dir)).render(
            template: "notice", subject: nil, text: nil, html: nil, data: .object(["name": .string("Li")]), locale: "en", channel: .email)
        #expect(derived.text == "Hello there (https://x.example/a?b=1&c=2)")
        #expect(derived.tracking == false && derived.subject == "Notice for Li")
        try "Plain {{name}}".write(toFile: dir + "/notice/email.en.text.mustache", atomically: true, encoding: .utf8)
        let own = try MessageRenderer(library: try TemplateLibrary.load(directory: dir)).render(
            template: "notice", subject: nil, text: nil, html: nil, data: .object(["name": .string("<Li>")]), locale: "en", channel: .email)
        #expect(own.text == "Plain <Li>")
    }
}
