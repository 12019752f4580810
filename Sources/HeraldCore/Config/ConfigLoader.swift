import Foundation
import TOMLKit

/// Reads `herald.toml` and the channel files beside it into a ``HeraldConfig``.
/// All problems are reported together as `file:line: [table] key: reason`.
public enum ConfigLoader {
    /// Loads the configuration.
    /// - Parameter path: the main file; when nil, `./herald.toml` if it exists, else built-in defaults.
    public static func load(path: String?) throws(HeraldError) -> HeraldConfig {
        let fm = FileManager.default
        let chosen: String
        if let path {
            chosen = path
        } else if fm.fileExists(atPath: "herald.toml") {
            chosen = "herald.toml"
        } else {
            var config = HeraldConfig(baseDirectory: fm.currentDirectoryPath)
            config.database.path = absolute(config.database.path, base: config.baseDirectory)
            config.templates.directory = absolute(config.templates.directory, base: config.baseDirectory)
            return config
        }
        guard let data = fm.contents(atPath: chosen) else {
            throw .configuration("\(chosen): cannot read the configuration file")
        }
        let url = URL(fileURLWithPath: chosen, relativeTo: URL(fileURLWithPath: fm.currentDirectoryPath))
        let base = url.deletingLastPathComponent().standardizedFileURL.path
        return try parse(String(decoding: data, as: UTF8.self), file: chosen, baseDirectory: base, readChannels: true)
    }

    /// Parses the main file's text. With `readChannels`, also reads `<channels_dir>/*.toml`.
    public static func parse(
        _ text: String, file: String, baseDirectory: String, readChannels: Bool = false
    ) throws(HeraldError) -> HeraldConfig {
        let table = try parseTOML(text, file: file)
        var config = HeraldConfig(baseDirectory: baseDirectory)
        var root = TOMLReader(file: file, text: text, table: table)

        let channelsDir = root.string("channels_dir") ?? "channels"

        var server = root.child("server")
        if let listen = server.string("listen") {
            if let (host, port) = splitHostPort(listen) {
                config.server.host = host
                config.server.port = port
            } else {
                server.fail("listen", "must be host:port, e.g. \"127.0.0.1:8470\"")
            }
        }
        if let url = server.string("public_url") {
            if let problem = DestinationRules.urlProblem(url) { server.fail("public_url", problem) } else {
                config.server.publicURL = url.hasSuffix("/") ? String(url.dropLast()) : url
            }
        }
        root.merge(server)

        // `database = "postgres://…"` is short for `[database] url = "postgres://…"`.
        if let url = root.table["database"]?.string {
            _ = root.string("database")
            config.database.url = url
        } else {
            var database = root.child("database")
            if let path = database.string("path") { config.database.path = path }
            if let busy = database.duration("busy_timeout") { config.database.busyTimeout = busy }
            if let url = database.string("url") {
                config.database.url = url
                if database.table["path"] != nil { database.fail("url", "set either path (SQLite) or url (PostgreSQL), not both") }
            }
            if let n = database.int("max_connections", range: 1...500) { config.database.maxConnections = n }
            config.database.password = Self.secretReference(&database, "password", baseDirectory: baseDirectory)
            root.merge(database)
        }
        if let url = config.database.url, !(url.hasPrefix("postgres://") || url.hasPrefix("postgresql://")) {
            root.fail("database", "the database URL must start with postgres:// (a SQLite file is set with [database] path)")
        }
        if let url = config.database.url { config.database.url = Self.resolvingCertificate(in: url, base: baseDirectory) }
        config.database.path = absolute(config.database.path, base: baseDirectory)

        var templates = root.child("templates")
        if let dir = templates.string("dir") { config.templates.directory = dir }
        if let locale = templates.string("default_locale") {
            if MessageRequestParser.isLocale(locale) { config.templates.defaultLocale = locale } else {
                templates.fail("default_locale", "must be a locale such as en or zh-CN")
            }
        }
        root.merge(templates)
        config.templates.directory = absolute(config.templates.directory, base: baseDirectory)

        var log = root.child("log")
        if let text = log.string("deliveries") {
            if let choice = HeraldConfig.Log.Deliveries(rawValue: text) { config.log.deliveries = choice } else {
                log.fail("deliveries", "must be all or problems")
            }
        }
        root.merge(log)

        var resend = root.child("resend")
        if let n = resend.int("max_per_message", range: 0...100) { config.resend.maxPerMessage = n }
        if let d = resend.duration("min_interval", minimum: 0) { config.resend.minInterval = d }
        if let n = resend.int("bulk_limit", range: 1...100_000) { config.resend.bulkLimit = n }
        root.merge(resend)

        config.events = parseEvents(&root, baseDirectory: baseDirectory)

        var retention = root.child("retention")
        if let d = retention.duration("history", minimum: 1_000) { config.retention.history = d }
        if let d = retention.duration("interval", minimum: 100) { config.retention.interval = d }
        if let n = retention.int("batch", range: 1...100_000) { config.retention.batch = n }
        root.merge(retention)

        var tracking = root.child("tracking")
        if let key = tracking.string("key") {
            do {
                var reference = try SecretReference(parsing: key)
                if case .file(let path) = reference { reference = .file(absolute(path, base: baseDirectory)) }
                config.tracking.key = reference
            } catch {
                tracking.fail("key", error.detail)
            }
        }
        if let enabled = tracking.bool("enabled") { config.tracking.enabled = enabled }
        root.merge(tracking)

        var dispatch = root.child("dispatch")
        if let n = dispatch.int("claim_batch", range: 1...10_000) { config.dispatch.claimBatch = n }
        if let d = dispatch.duration("lease", minimum: 1_000) { config.dispatch.lease = d }
        if let d = dispatch.duration("poll_interval", minimum: 10) { config.dispatch.pollInterval = d }
        if let d = dispatch.duration("record_linger", minimum: 0) { config.dispatch.recordLinger = min(d, 1_000) }
        if let d = dispatch.duration("drain_timeout") { config.dispatch.drainTimeout = d }
        root.merge(dispatch)

        var retry = root.child("retry")
        if let n = retry.int("max_attempts", range: 1...1_000) { config.retry.maxAttempts = n }
        if let d = retry.duration("base", minimum: 1) { config.retry.base = d }
        if let d = retry.duration("max_backoff", minimum: 1) { config.retry.maxBackoff = d }
        if let d = retry.duration("max_age", minimum: 1_000) { config.retry.maxAge = d }
        root.merge(retry)

        var limits = root.child("limits")
        if let n = limits.int("max_body_bytes", range: 1_024...(64 << 20)) { config.limits.maximumBodyBytes = n }
        if let n = limits.int("max_batch_body_bytes", range: 1_024...(256 << 20)) {
            config.limits.maximumBatchBodyBytes = n
        }
        if let n = limits.int("max_batch", range: 1...10_000) { config.limits.maximumBatchSize = n }
        if let n = limits.int("max_content_bytes", range: 1...(16 << 20)) { config.limits.maximumContentBytes = n }
        if let n = limits.int("max_data_bytes", range: 2...(16 << 20)) { config.limits.maximumDataBytes = n }
        if let n = limits.int("max_destinations", range: 1...10_000) { config.limits.maximumDestinations = n }
        root.merge(limits)

        config.tiers = parseTiers(&root)
        config.digest = parseDigest(&root)

        root.rejectUnknownKeys()
        var problems = root.problems

        if readChannels {
            let dir = absolute(channelsDir, base: baseDirectory)
            do {
                config.channels = try loadChannels(directory: dir, displayDirectory: channelsDir, baseDirectory: baseDirectory)
            } catch {
                problems.append(error.detail)
            }
        }
        if readChannels {
            // Tiers may only name configured channels, each once; a fallback chain may not loop.
            let known = Set(config.channels.map(\.name))
            for plan in config.tiers.values.sorted(by: { $0.name < $1.name }) {
                for name in plan.channels + plan.fallback + [plan.escalation?.channel].compactMap({ $0 }) where !known.contains(name) {
                    problems.append("\(file): [tiers.\(plan.name)] names channel '\(name)', which has no file in \(channelsDir)/")
                }
                if Set(plan.channels).count != plan.channels.count {
                    problems.append("\(file): [tiers.\(plan.name)] names a channel twice")
                }
                for name in plan.fallback where plan.channels.contains(name) {
                    problems.append("\(file): [tiers.\(plan.name)] fallback '\(name)' is also a fan-out channel (a cycle)")
                }
                if Set(plan.fallback).count != plan.fallback.count {
                    problems.append("\(file): [tiers.\(plan.name)] fallback names a channel twice (a cycle)")
                }
            }
            problems += phoneProblems(config.channels, directory: channelsDir)
            problems += digestProblems(config.digest, channels: config.channels, file: file)
        }
        guard problems.isEmpty else { throw .configuration(problems.joined(separator: "\n")) }
        return config
    }

    /// Reads every `*.toml` in `directory` as one channel each, named after the file.
    public static func loadChannels(
        directory: String, displayDirectory: String, baseDirectory: String
    ) throws(HeraldError) -> [ChannelConfig] {
        let fm = FileManager.default
        guard let names = try? fm.contentsOfDirectory(atPath: directory) else { return [] }
        var channels: [ChannelConfig] = []
        var problems: [String] = []
        for name in names.sorted() where name.hasSuffix(".toml") {
            let display = displayDirectory + "/" + name
            guard let data = fm.contents(atPath: directory + "/" + name) else {
                problems.append("\(display): cannot read")
                continue
            }
            do {
                channels.append(try parseChannel(
                    String(decoding: data, as: UTF8.self), name: String(name.dropLast(5)), file: display,
                    baseDirectory: baseDirectory))
            } catch {
                problems.append(error.detail)
            }
        }
        guard problems.isEmpty else { throw .configuration(problems.joined(separator: "\n")) }
        return channels
    }

    /// Parses one channel file.
    public static func parseChannel(
        _ text: String, name: String, file: String, baseDirectory: String
    ) throws(HeraldError) -> ChannelConfig {
        let table = try parseTOML(text, file: file)
        var reader = TOMLReader(file: file, text: text, table: table)
        guard MessageRequestParser.isTemplateName(name) else {
            throw .configuration("\(file): channel names may use a-z, 0-9, '-' and '_' only")
        }
        let kindText = reader.string("kind") ?? ""
        guard let kind = ChannelKind(rawValue: kindText) else {
            reader.fail("kind", "must be one of: " + ChannelKind.allCases.map(\.rawValue).joined(separator: ", "))
            throw .configuration(reader.problems.joined(separator: "\n"))
        }
        var channel = ChannelConfig(name: name, kind: kind, provider: ChannelConfig.defaultProvider(for: kind))
        if let p = reader.string("provider") {
            let allowed: [ChannelConfig.Provider] = switch kind {
            case .sms: [.twilio, .aliyun, .outbox]
            case .phone: [.tasks]
            case .voice: [.twilio, .outbox]
            default: [ChannelConfig.defaultProvider(for: kind), .outbox]
            }
            if let provider = ChannelConfig.Provider(rawValue: p), allowed.contains(provider) {
                channel.provider = provider
            } else {
                reader.fail("provider", "must be one of: " + allowed.map(\.rawValue).joined(separator: ", "))
            }
        }
        if kind == .email { channel.email = parseEmail(&reader, baseDirectory: baseDirectory) }
        if kind.isBot { channel.bot = parseBot(&reader, kind: kind) }
        if kind == .sms { channel.sms = parseSMS(&reader, provider: channel.provider, baseDirectory: baseDirectory) }
        if kind == .phone { channel.phone = parsePhone(&reader) }
        if kind == .voice { channel.voice = parseVoice(&reader, provider: channel.provider, baseDirectory: baseDirectory) }
        if let n = reader.int("concurrency", range: 1...256) { channel.concurrency = n }
        if let d = reader.duration("connect_timeout", minimum: 100) { channel.connectTimeout = d }
        if let d = reader.duration("timeout", minimum: 100) { channel.timeout = d }
        if let s = reader.string("secret") {
            do {
                var reference = try SecretReference(parsing: s)
                if case .file(let path) = reference { reference = .file(absolute(path, base: baseDirectory)) }
                channel.secret = reference
            } catch {
                reader.fail("secret", error.detail)
            }
        }
        if let ua = reader.string("user_agent") {
            if DestinationRules.hasLineBreak(ua) { reader.fail("user_agent", "must not contain line breaks") } else {
                channel.userAgent = ua
            }
        }
        if let b = reader.bool("allow_private_networks") { channel.allowPrivateNetworks = b }
        channel.outboxDirectory = absolute(reader.string("outbox_dir") ?? "var/outbox/\(name)", base: baseDirectory)
        reader.rejectUnknownKeys()
        guard reader.problems.isEmpty else { throw .configuration(reader.problems.joined(separator: "\n")) }
        return channel
    }

    /// The email keys of a channel file; `from` is required.
    static func parseEmail(_ reader: inout TOMLReader, baseDirectory: String) -> EmailSettings {
        var email = EmailSettings()
        if let url = reader.string("smtp_url") {
            let lower = url.lowercased()
            if (lower.hasPrefix("smtp://") || lower.hasPrefix("smtps://")) && !DestinationRules.hasLineBreak(url)
                && url.count > 8
            {
                email.smtpURL = url
            } else {
                reader.fail("smtp_url", "must be smtp://host:port or smtps://host:port")
            }
        }
        if let mode = reader.string("starttls") {
            if let value = EmailSettings.StartTLS(rawValue: mode) { email.startTLS = value } else {
                reader.fail("starttls", "must be one of: required, opportunistic, off")
            }
        }
        email.username = reader.string("username")
        if let ca = reader.string("ca_file") { email.caFile = absolute(ca, base: baseDirectory) }
        if let s = reader.string("password") {
            do {
                var reference = try SecretReference(parsing: s)
                if case .file(let path) = reference { reference = .file(absolute(path, base: baseDirectory)) }
                email.password = reference
            } catch {
                reader.fail("password", error.detail)
            }
        }
        func mailbox(_ key: String, allowName: Bool) -> String? {
            guard let text = reader.string(key) else { return nil }
            let address: String
            if allowName, text.hasSuffix(">"), let open = text.lastIndex(of: "<") {
                address = String(text[text.index(after: open)..<text.index(before: text.endIndex)])
            } else {
                address = text
            }
            if DestinationRules.hasLineBreak(text) {
                reader.fail(key, "must not contain line breaks")
            } else if let problem = DestinationRules.emailProblem(address) {
                reader.fail(key, "address \(problem)")
            } else {
                return text
            }
            return nil
        }
        if let from = mailbox("from", allowName: true) { email.from = from } else if reader.table["from"] == nil {
            reader.fail("from", "required for email channels, e.g. \"Acme Customer Success <cs@acme.example>\"")
        }
        email.bounceAddress = mailbox("bounce_address", allowName: false)
        email.replyTo = mailbox("reply_to", allowName: true)
        email.unsubscribeMailto = mailbox("unsubscribe_mailto", allowName: false)
        if let domain = reader.string("message_id_domain") {
            if domain.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "." }) && domain.contains(".") {
                email.messageIDDomain = domain
            } else {
                reader.fail("message_id_domain", "must be a domain name such as mail.acme.example")
            }
        }
        return email
    }

    static func parseTOML(_ text: String, file: String) throws(HeraldError) -> TOMLTable {
        do {
            return try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw .configuration("\(file):\(error.source.begin.line):\(error.source.begin.column): \(error.description)")
        } catch {
            throw .configuration("\(file): not valid TOML")
        }
    }

    static func splitHostPort(_ text: String) -> (String, Int)? {
        guard let colon = text.lastIndex(of: ":") else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty, let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else {
            return nil
        }
        return (host, port)
    }

    /// The database URL with a relative `sslrootcert` made absolute against the config's folder.
    static func resolvingCertificate(in url: String, base: String) -> String {
        guard var components = URLComponents(string: url), let items = components.queryItems,
            items.contains(where: { $0.name == "sslrootcert" && !($0.value ?? "/").hasPrefix("/") })
        else { return url }
        components.queryItems = items.map { item in
            guard item.name == "sslrootcert", let value = item.value, !value.hasPrefix("/") else { return item }
            return URLQueryItem(name: item.name, value: absolute(value, base: base))
        }
        return components.string ?? url
    }

    /// `path` made absolute against `base` (unchanged when already absolute).
    public static func absolute(_ path: String, base: String) -> String {
        if path.hasPrefix("/") { return path }
        return URL(fileURLWithPath: path, relativeTo: URL(fileURLWithPath: base, isDirectory: true)).standardizedFileURL.path
    }
}
