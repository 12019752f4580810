extension ConfigLoader {
    /// Reads `[events]` and every `[subscriptions.<name>]` table.
    static func parseEvents(_ root: inout TOMLReader, baseDirectory: String) -> EventSettings {
        var settings = EventSettings()
        var events = root.child("events")
        if let n = events.int("max_attempts", range: 1...100) { settings.retry.maxAttempts = n }
        if let d = events.duration("retry_base", minimum: 1) { settings.retry.base = d }
        if let d = events.duration("max_backoff", minimum: 1) { settings.retry.maxBackoff = d }
        if let d = events.duration("max_age", minimum: 1_000) { settings.retry.maxAge = d }
        if let d = events.duration("timeout", minimum: 100) { settings.timeout = d }
        if let n = events.int("concurrency", range: 1...64) { settings.concurrency = n }
        if let d = events.duration("poll_interval", minimum: 10) { settings.pollInterval = d }
        if let allow = events.bool("allow_private_networks") { settings.allowPrivateNetworks = allow }
        root.merge(events)

        for name in root.childNames("subscriptions") {
            var table = root.grandchild("subscriptions", name)
            defer { root.merge(table) }
            guard MessageRequestParser.isTemplateName(name) else {
                table.fail("(name)", "subscription names may use a-z, 0-9, '-' and '_' only")
                continue
            }
            let url = table.string("url")
            if url == nil { table.fail("url", "required: where events are posted") }
            if let url, let problem = DestinationRules.urlProblem(url) { table.fail("url", problem) }
            var topics = Set(EventTopic.allCases)
            if let names = table.strings("types") {
                let parsed = names.compactMap(EventTopic.init(rawValue:))
                if parsed.count != names.count || parsed.isEmpty {
                    table.fail("types", "must name event types: " + EventTopic.allCases.map(\.rawValue).joined(separator: ", "))
                }
                topics = Set(parsed)
            }
            var secret: SecretReference? = nil
            if let text = table.string("secret") {
                do {
                    secret = try SecretReference(parsing: text)
                    if case .file(let path)? = secret { secret = .file(absolute(path, base: baseDirectory)) }
                } catch {
                    table.fail("secret", error.detail)
                }
            } else {
                table.fail("secret", "required: the whsec_ signing secret by reference (env:, file: or credential:)")
            }
            if let url, let secret {
                settings.declared.append(.init(name: name, url: url, topics: topics, secret: secret))
            }
        }
        settings.declared.sort { $0.name < $1.name }
        return settings
    }
}
