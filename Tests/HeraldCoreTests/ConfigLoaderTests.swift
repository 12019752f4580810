import Foundation
import HeraldCore
import Testing

@Suite struct ConfigLoaderTests {
    @Test func emptyFileGivesDefaults() throws {
        let config = try ConfigLoader.parse("", file: "herald.toml", baseDirectory: "/srv/herald")
        #expect(config.server.port == 8470)
        #expect(config.database.path == "/srv/herald/var/herald.db")
        #expect(config.retry == ExponentialJitterRetryPolicy())
    }

    @Test func readsEveryTable() throws {
        let config = try ConfigLoader.parse("""
            [server]
            listen = "0.0.0.0:9000"
            public_url = "https://herald.example.com/"
            [database]
            path = "/var/lib/herald/herald.db"
            [dispatch]
            claim_batch = 64
            lease = "30s"
            poll_interval = "250ms"
            [retry]
            max_attempts = 3
            base = "2s"
            max_backoff = "10m"
            max_age = "1d"
            [limits]
            max_batch = 50
            """, file: "herald.toml", baseDirectory: "/etc/herald")
        #expect(config.server.host == "0.0.0.0" && config.server.port == 9000)
        #expect(config.server.publicURL == "https://herald.example.com")
        #expect(config.database.path == "/var/lib/herald/herald.db")
        #expect(config.dispatch.claimBatch == 64 && config.dispatch.lease == 30_000 && config.dispatch.pollInterval == 250)
        #expect(config.retry == ExponentialJitterRetryPolicy(maxAttempts: 3, base: 2_000, maxBackoff: 600_000, maxAge: 86_400_000))
        #expect(config.limits.maximumBatchSize == 50)
    }

    @Test func reportsFileLineAndKeyForEveryProblem() {
        let text = """
            [server]
            listen = "nowhere"

            [dispatch]
            lease = "soon"
            claim_batchh = 5
            """
        #expect {
            _ = try ConfigLoader.parse(text, file: "herald.toml", baseDirectory: "/x")
        } throws: { error in
            let detail = (error as? HeraldError)?.detail ?? ""
            return detail.contains("herald.toml:2: [server] listen")
                && detail.contains("herald.toml:5: [dispatch] lease")
                && detail.contains("herald.toml:6: [dispatch] claim_batchh: unknown key")
        }
    }

    @Test func logDeliveriesIsAllOrProblems() throws {
        #expect(try ConfigLoader.parse("", file: "herald.toml", baseDirectory: "/x").log.deliveries == .all)
        let quiet = try ConfigLoader.parse("[log]\ndeliveries = \"problems\"\n", file: "herald.toml", baseDirectory: "/x")
        #expect(quiet.log.deliveries == .problems)
        #expect {
            _ = try ConfigLoader.parse("[log]\ndeliveries = \"none\"\nlevel = \"info\"\n", file: "herald.toml", baseDirectory: "/x")
        } throws: { error in
            let detail = (error as? HeraldError)?.detail ?? ""
            return detail.contains("herald.toml:2: [log] deliveries: must be all or problems")
                && detail.contains("herald.toml:3: [log] level: unknown key")
        }
    }

    @Test func syntaxErrorsCarryLineAndColumn() {
        #expect {
            _ = try ConfigLoader.parse("[server]\nlisten = \n", file: "herald.toml", baseDirectory: "/x")
        } throws: { error in
            ((error as? HeraldError)?.detail ?? "").hasPrefix("herald.toml:2:")
        }
    }

    @Test func voiceChannelFiles() throws {
        let voice = try ConfigLoader.parseChannel("""
            kind = "voice"
            account_sid = "AC123"
            auth_token = "env:TWILIO_AUTH_TOKEN"
            from = "+14155550100"
            voice = "Polly.Zhiyu"
            loop = 1
            machine_detection = true
            [languages]
            zh-CN = "cmn-CN"
            """, name: "robocall", file: "channels/robocall.toml", baseDirectory: "/etc/h")
        #expect(voice.kind == .voice && voice.provider == .twilio)
        let settings = try #require(voice.voice)
        #expect(settings.accountSID == "AC123" && settings.authToken == .environment("TWILIO_AUTH_TOKEN"))
        #expect(settings.from == "+14155550100" && settings.voice == "Polly.Zhiyu" && settings.loop == 1 && settings.machineDetection)
        #expect(settings.statusCallback && settings.language(for: "zh-CN") == "cmn-CN" && settings.language(for: "en") == "en-US")
        #expect {
            _ = try ConfigLoader.parseChannel(
                "kind = \"voice\"\nfrom = \"555\"\nvoice = \"a\\\" b\"\nprovider = \"aliyun\"\n", name: "v", file: "v.toml", baseDirectory: "/x")
        } throws: { error in
            let detail = (error as? HeraldError)?.detail ?? ""
            return detail.contains("v.toml:2: from: must be an E.164 number") && detail.contains("v.toml:3: voice: must be a Twilio voice name")
                && detail.contains("v.toml:4: provider: must be one of: twilio, outbox")
        }
        #expect {
            _ = try ConfigLoader.parseChannel("kind = \"voice\"\n", name: "v", file: "v.toml", baseDirectory: "/x")
        } throws: { error in
            let detail = (error as? HeraldError)?.detail ?? ""
            return detail.contains("account_sid: required") && detail.contains("auth_token: required") && detail.contains("from: required")
        }
    }

    @Test func aTierCanHaveResendRulesOfItsOwn() throws {
        let text = """
            [resend]
            max_per_message = 2
            min_interval = "24h"
            [tiers.strategic]
            channels = ["email"]
            resend = { max_per_message = 5, min_interval = "4h" }
            [tiers.smb]
            channels = ["email"]
            [tiers.growth]
            channels = ["email"]
            resend = { min_interval = "48h" }
            """
        let config = try ConfigLoader.parse(text, file: "herald.toml", baseDirectory: "/x")
        #expect(config.tiers["strategic"]?.resend == TierResendRules(maxPerMessage: 5, minInterval: 14_400_000))
        #expect(config.tiers["smb"]?.resend == nil)
        #expect(config.tiers["growth"]?.resend == TierResendRules(maxPerMessage: nil, minInterval: 172_800_000))
        #expect {
            _ = try ConfigLoader.parse(
                text.replacingOccurrences(of: "min_interval = \"4h\" }", with: "min_interval = \"soon\", limit = 1 }"),
                file: "herald.toml", baseDirectory: "/x")
        } throws: { error in
            let detail = (error as? HeraldError)?.detail ?? ""
            return detail.contains("herald.toml:6: [tiers.strategic.resend] min_interval: must be a duration")
                && detail.contains("herald.toml:6: [tiers.strategic.resend] limit: unknown key")
        }
    }

    @Test func channelFileNeedsASecretReferenceNotALiteral() {
        #expect {
            _ = try ConfigLoader.parseChannel(
                "kind = \"webhook\"\nsecret = \"whsec_abc\"\n", name: "webhook", file: "channels/webhook.toml", baseDirectory: "/x")
        } throws: { error in
            ((error as? HeraldError)?.detail ?? "").contains("channels/webhook.toml:2: secret: a secret must be a reference")
        }
        let channel = try? ConfigLoader.parseChannel(
            "kind = \"webhook\"\nsecret = \"file:var/s\"\nconcurrency = 3\n", name: "hooks", file: "c", baseDirectory: "/etc/h")
        #expect(channel?.secret == .file("/etc/h/var/s"))
        #expect(channel?.concurrency == 3)
    }

    @Test(arguments: [("250ms", 250), ("5s", 5_000), ("2m", 120_000), ("72h", 259_200_000), ("7d", 604_800_000), ("1.5s", 1_500), ("30", 30_000)] as [(String, Int64)])
    func durations(text: String, millis: Int64) {
        #expect(DurationText.milliseconds(text) == millis)
    }

    @Test(arguments: ["", "soon", "-5s", "5 parsecs", "ms"])
    func badDurations(text: String) {
        #expect(DurationText.milliseconds(text) == nil)
    }

    @Test func secretReferencesResolve() throws {
        let env = ["HOOK_SECRET": "whsec_x\n", "CREDENTIALS_DIRECTORY": NSTemporaryDirectory()]
        #expect(try SecretReference(parsing: "env:HOOK_SECRET").resolve(environment: env) == "whsec_x")
        let path = NSTemporaryDirectory() + "/herald-secret-\(UUID().uuidString)"
        try "s3cret\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(try SecretReference(parsing: "file:\(path)").resolve(environment: env) == "s3cret")
        let name = (path as NSString).lastPathComponent
        #expect(try SecretReference(parsing: "credential:\(name)").resolve(environment: env) == "s3cret")
        #expect(throws: HeraldError.self) { try SecretReference(parsing: "env:MISSING").resolve(environment: env) }
        #expect(throws: HeraldError.self) { try SecretReference(parsing: "plain-text") }
        #expect(throws: HeraldError.self) { try SecretReference(parsing: "credential:../etc/passwd") }
    }
}

@Suite struct TierConfigTests {
    func load(_ toml: String) throws -> HeraldConfig {
        let dir = NSTemporaryDirectory() + "herald-tiers-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir + "/channels", withIntermediateDirectories: true)
        try toml.write(toFile: dir + "/herald.toml", atomically: true, encoding: .utf8)
        try "kind = \"email\"\nprovider = \"outbox\"\nfrom = \"cs@acme.example\"\n"
            .write(toFile: dir + "/channels/email.toml", atomically: true, encoding: .utf8)
        try "kind = \"webhook\"\nprovider = \"outbox\"\n".write(toFile: dir + "/channels/crm.toml", atomically: true, encoding: .utf8)
        return try ConfigLoader.load(path: dir + "/herald.toml")
    }

    @Test func tiersWithQuietHoursAndEscalation() throws {
        let config = try load("""
            [tiers.strategic]
            channels = ["email", "crm"]
            quiet_hours = "21:00-08:00"
            escalate = { after = "24h", unless = "clicked", to = "crm" }
            [tiers.smb]
            channels = ["email"]
            fallback = ["crm"]
            tracking = false
            """)
        #expect(config.tiers["smb"]?.fallback == ["crm"])
        let strategic = try #require(config.tiers["strategic"])
        #expect(strategic.channels == ["email", "crm"])
        #expect(strategic.quietHours == QuietHours(start: 21 * 60, end: 8 * 60))
        #expect(strategic.escalation == Escalation(after: 86_400_000, unless: .clicked, channel: "crm"))
        #expect(config.tiers["smb"]?.tracking == false)
    }

    @Test(arguments: [
        ("[tiers.smb]\nchannels = [\"sms\"]\n", "names channel 'sms', which has no file"),
        ("[tiers.smb]\nchannels = [\"email\"]\nescalate = { after = \"1h\", to = \"phone\" }\n", "names channel 'phone'"),
        ("[tiers.smb]\nchannels = [\"email\", \"email\"]\n", "names a channel twice"),
        ("[tiers.smb]\nchannels = [\"email\", \"crm\"]\nfallback = [\"crm\"]\n", "is also a fan-out channel (a cycle)"),
        ("[tiers.smb]\nchannels = [\"email\"]\nfallback = [\"crm\", \"crm\"]\n", "names a channel twice (a cycle)"),
        ("[tiers.smb]\nchannels = [\"email\"]\nquiet_hours = \"late\"\n", "quiet_hours: must be HH:MM-HH:MM"),
        ("[tiers.smb]\nchannels = []\n", "channels: required"),
        ("[tiers.smb]\nchannels = [\"email\"]\nescalate = { after = \"soon\", to = \"crm\" }\n", "after"),
    ])
    func badTiersAreRefusedWithTheReason(toml: String, reason: String) {
        #expect {
            _ = try load(toml)
        } throws: { error in
            ((error as? HeraldError)?.detail ?? "").contains(reason)
        }
    }
}

@Suite struct PhoneConfigTests {
    func load(phone: String) throws -> HeraldConfig {
        let dir = NSTemporaryDirectory() + "herald-phone-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir + "/channels", withIntermediateDirectories: true)
        try "[tiers.strategic]\nchannels = [\"email\"]\nescalate = { after = \"48h\", to = \"phone\" }\n"
            .write(toFile: dir + "/herald.toml", atomically: true, encoding: .utf8)
        try "kind = \"email\"\nprovider = \"outbox\"\nfrom = \"cs@acme.example\"\n"
            .write(toFile: dir + "/channels/email.toml", atomically: true, encoding: .utf8)
        try "kind = \"wecom\"\nprovider = \"outbox\"\n".write(toFile: dir + "/channels/team.toml", atomically: true, encoding: .utf8)
        try "kind = \"phone\"\n\(phone)".write(toFile: dir + "/channels/phone.toml", atomically: true, encoding: .utf8)
        return try ConfigLoader.load(path: dir + "/herald.toml")
    }

    @Test func readsPhoneSettings() throws {
        let config = try load(phone: """
            business_hours = "08:30-17:30"
            business_days = ["mon", "tue", "wed", "thu", "fri", "sat"]
            due_within = "2h"
            max_attempts = 2
            notify = ["email", "team"]
            manager = "lead@acme.example"
            default_timezone = "Asia/Shanghai"
            [robots]
            team = "team-key"
            """)
        let phone = try #require(config.channels.first { $0.name == "phone" }?.phone)
        #expect(phone.businessHours == BusinessHours(open: 510, close: 1050, days: [2, 3, 4, 5, 6, 7]))
        #expect(phone.dueWithin == 7_200_000 && phone.maxAttempts == 2)
        #expect(phone.robots == ["team": "team-key"] && phone.manager == "lead@acme.example")
        #expect(config.tiers["strategic"]?.escalation?.channel == "phone")
    }

    @Test(arguments: [
        ("notify = [\"sms\"]\n", "notify names channel 'sms', which has no file"),
        ("notify = [\"team\"]\n", "give its team robot in [robots] team"),
        ("notify = [\"email\"]\n[robots]\nteam = \"k\"\n", "[robots] team is not in notify"),
        ("manager = \"lead@acme.example\"\n", "manager needs an email channel"),
        ("business_hours = \"18:00-09:00\"\n", "business_hours"),
        ("business_days = [\"mon\", \"someday\"]\n", "business_days"),
        ("provider = \"outbox\"\n", "provider: must be one of: tasks"),
        ("default_timezone = \"Mars/Olympus\"\n", "IANA time zone"),
    ])
    func badPhoneChannelsAreRefused(phone: String, reason: String) {
        #expect {
            _ = try load(phone: phone)
        } throws: { error in
            ((error as? HeraldError)?.detail ?? "").contains(reason)
        }
    }
}
