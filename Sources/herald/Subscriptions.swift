import ArgumentParser
import Foundation
import HeraldCore
import HeraldDispatch
import HeraldServer
import HeraldStore

struct Subscriptions: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Event subscriptions: list, add, remove, and inspect or redrive dead letters (reads and writes the database).",
        subcommands: [List.self, Add.self, Remove.self, DeadLetters.self, Redrive.self], defaultSubcommand: List.self)

    /// herald.toml's subscriptions (secrets not needed for listing) and the API-registered ones.
    static func all(_ config: HeraldConfig, _ store: any Store) async throws -> [Subscription] {
        config.events.declared.map {
            Subscription(id: Subscription.configID($0.name), name: $0.name, url: $0.url, topics: $0.topics, secret: "",
                         source: .config, allowPrivateNetworks: true, createdAt: 0)
        } + (try await store.subscriptions())
    }

    static func find(_ key: String, _ config: HeraldConfig, _ store: any Store) async throws -> Subscription {
        guard let found = try await all(config, store).first(where: { $0.id == key || $0.name == key }) else {
            throw HeraldError.notFound("no subscription with id or name \(key)")
        }
        return found
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List subscriptions with their notice counts.")
        @OptionGroup var options: GlobalOptions
        @Flag(help: "Print as JSON (the items of GET /v1/subscriptions).") var json = false

        func run() async throws {
            try await CLIFailure.guarding {
                let (subs, counts) = try await options.withStore { config, store in
                    (try await Subscriptions.all(config, store), try await store.noticeCounts())
                }
                if json {
                    print(JSONValue.array(subs.map { SubscriptionJSON.subscription($0, counts: counts[$0.id] ?? NoticeCounts()) }).canonicalText)
                    return
                }
                var table = TextTable("NAME", "SOURCE", "URL", "TYPES", "PENDING", "DELIVERED", "DEAD")
                for s in subs {
                    let c = counts[s.id] ?? NoticeCounts()
                    let types = s.topics.count == EventTopic.allCases.count ? "all" : s.topics.map(\.rawValue).sorted().joined(separator: ",")
                    table.add(s.name, s.source.rawValue, s.url, types, String(c.pending), String(c.delivered), String(c.dead))
                }
                print(subs.isEmpty ? "no subscriptions" : table.render())
            }
        }
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Register a subscription; prints its signing secret once.")
        @OptionGroup var options: GlobalOptions
        @Argument(help: "A name (a-z, 0-9, '-', '_').") var name: String
        @Option(help: "Where events are posted.") var url: String
        @Option(help: "Comma-separated event types (default: all).") var types: String?
        @Flag(help: "Print as JSON.") var json = false

        func run() async throws {
            try await CLIFailure.guarding {
                var body: [String: JSONValue] = ["name": .string(name), "url": .string(url)]
                if let types { body["types"] = .array(types.split(separator: ",").map { .string(String($0)) }) }
                let created = try await options.withStore { config, store in
                    let subscription = try SubscriptionJSON.request(.object(body), settings: config.events)
                    if config.events.declared.contains(where: { $0.name == name }) {
                        throw HeraldError.conflict("a subscription named '\(name)' is declared in herald.toml")
                    }
                    let trackingKey = try config.tracking.key?.resolve(environment: ProcessInfo.processInfo.environment)
                    try await SubscriptionSecrets(store: store, trackingKey: trackingKey).create(subscription, actor: GlobalOptions.actor)
                    return subscription
                }
                if json {
                    print(SubscriptionJSON.subscription(created, counts: nil, secret: true).canonicalText)
                } else {
                    print("subscription \(created.name) (\(created.id)) created")
                    print("signing secret (shown once; verify webhook-signature with it): \(created.secret)")
                }
            }
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete an API-registered subscription and its notices.")
        @OptionGroup var options: GlobalOptions
        @Argument(help: "Id or name.") var subscription: String

        func run() async throws {
            try await CLIFailure.guarding {
                try await options.withStore { config, store in
                    let found = try await Subscriptions.find(subscription, config, store)
                    guard found.source == .api else {
                        throw HeraldError.conflict("'\(found.name)' is declared in herald.toml; remove it there and reload")
                    }
                    _ = try await store.deleteSubscription(found, actor: GlobalOptions.actor, now: Timestamps.now())
                }
                print("subscription \(subscription) deleted")
            }
        }
    }

    struct DeadLetters: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "dead-letters", abstract: "Notices retries gave up on, oldest first.")
        @OptionGroup var options: GlobalOptions
        @Argument(help: "Id or name.") var subscription: String
        @Option(help: "At most this many.") var limit = 100
        @Flag(help: "Print as JSON.") var json = false

        func run() async throws {
            try await CLIFailure.guarding {
                let dead = try await options.withStore { config, store in
                    let found = try await Subscriptions.find(subscription, config, store)
                    return try await store.notices(subscriptionID: found.id, state: .dead, limit: max(1, min(limit, 10_000)))
                }
                if json {
                    print(JSONValue.array(dead.map(SubscriptionJSON.notice)).canonicalText)
                    return
                }
                var table = TextTable("NOTICE", "TYPE", "DELIVERY", "ATTEMPTS", "LAST ERROR")
                for n in dead {
                    table.add(n.id, n.topic.rawValue, n.deliveryID, String(n.attempts), String((n.lastError ?? "-").prefix(80)))
                }
                print(dead.isEmpty ? "no dead letters" : table.render())
            }
        }
    }

    struct Redrive: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Send a subscription's dead letters again.")
        @OptionGroup var options: GlobalOptions
        @Argument(help: "Id or name.") var subscription: String

        func run() async throws {
            try await CLIFailure.guarding {
                let count = try await options.withStore { config, store in
                    let found = try await Subscriptions.find(subscription, config, store)
                    return try await store.redriveNotices(of: found, actor: GlobalOptions.actor, now: Timestamps.now())
                }
                print("\(count) dead letter\(count == 1 ? "" : "s") queued again")
            }
        }
    }
}
