import ArgumentParser
import Foundation
import HeraldCore
import HeraldServer
import HeraldStore

struct Clients: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The client registry: list, show, import and delete clients; hand them to another CSM.",
        subcommands: [List.self, Show.self, Import.self, Delete.self, HandOver.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List clients, optionally by tier, CSM email or stage, or find them with --search.",
            discussion: """
                --search finds clients by part of their id or name, or of a contact's name, email or phone number \
                (letters A-Z in either case; a phone number with or without spaces and dashes).

                With --attention, the clients most in need of their CSM come first (most unopened high/urgent \
                messages, then most unopened, never written to, longest without contact), with those counts; \
                up to \(ClientAttention.limit) matching clients (filter by --csm, --tier, --stage or --search).
                """)
        @OptionGroup var options: GlobalOptions
        @Option(help: "Only this tier.") var tier: String?
        @Option(help: "Only clients of this CSM (email).") var csm: String?
        @Option(help: "Only this lifecycle stage.") var stage: String?
        @Option(help: "Only clients whose id, name, or contact name, email or phone contains this.") var search: String?
        @Option(help: "At most this many.") var limit: Int = 100
        @Flag(help: "Order by who needs attention first, with last contact and unopened messages.") var attention = false
        @Flag(help: "Print as JSON.") var json = false

        func run() async throws {
            try await CLIFailure.guarding {
                let filter = try ClientFilter(tier: tier, csm: csm, stage: stage).searching(search, field: "search")
                if attention { return try await listByAttention(filter) }
                let clients = try await options.withStore { _, store in
                    try await store.clients(matching: filter, after: nil, limit: limit)
                }
                if json {
                    print(JSONValue.array(clients.map(ClientJSON.client)).canonicalText)
                    return
                }
                var table = TextTable("CLIENT", "NAME", "TIER", "STAGE", "CSM", "CONTACTS")
                for c in clients {
                    table.add(c.id, c.name, c.tier, c.lifecycleStage ?? "-", c.csm?.name ?? "-", String(c.contacts.count))
                }
                print(clients.isEmpty ? "no clients" : table.render())
            }
        }

        private func listByAttention(_ filter: ClientFilter) async throws {
            let shown = try await options.withStore { config, store in
                guard let ordered = try await ClientAttention.ordered(
                    store, matching: filter, openableChannels: config.routing.openableChannels)
                else {
                    throw HeraldError.invalid(
                        field: "attention",
                        "more than \(ClientAttention.limit) clients match: filter by --csm, --tier, --stage or --search to order them")
                }
                return try await ClientAttention.clients(store, ordered.prefix(max(0, limit)))
            }
            if json {
                print(JSONValue.array(shown.map { ClientJSON.client($0.client, activity: $0.activity) }).canonicalText)
                return
            }
            var table = TextTable("CLIENT", "NAME", "TIER", "CSM", "LAST CONTACT", "UNOPENED", "IMPORTANT")
            for (c, a) in shown {
                table.add(
                    c.id, c.name, c.tier, c.csm?.name ?? "-", a.lastContactAt.map { Timestamps.format($0) } ?? "never",
                    String(a.unopened), String(a.unopenedImportant))
            }
            print(shown.isEmpty ? "no clients" : table.render())
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one client with its contacts.")
        @OptionGroup var options: GlobalOptions
        @Argument(help: "Client id.") var id: String

        func run() async throws {
            try await CLIFailure.guarding {
                let client = try await options.withStore { _, store in try await store.client(id: id) }
                guard let client else { throw HeraldError.notFound("no client with id \(id)") }
                print(ClientJSON.client(client).canonicalText)
            }
        }
    }

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create or update clients from a JSON array or a CSV file (one row per contact).",
            discussion: """
                The whole file is checked first; if any row is invalid nothing is written and every problem is \
                listed as file:line: column: reason (exit 65). Importing the same file twice changes nothing.
                CSV columns: \(ClientImport.csvColumns.joined(separator: ",")) (opt_outs separated by ';').
                """)
        @OptionGroup var options: GlobalOptions
        @Argument(help: "The file (.json or .csv).") var file: String
        @Flag(help: "Only check the file.") var dryRun = false
        @Flag(help: "Print a JSON summary.") var json = false

        func run() async throws {
            try await CLIFailure.guarding {
                let config = try options.loadConfig()
                guard let data = FileManager.default.contents(atPath: file) else { throw CLIFailure("cannot read \(file)", code: 66) }
                let clients = try ClientImport.parse(
                    String(decoding: data, as: UTF8.self), file: (file as NSString).lastPathComponent, tiers: config.tiers,
                    channels: config.channelKinds, now: Timestamps.now())
                var created = 0
                var updated = 0
                if !dryRun {
                    (created, updated) = try await options.withStore { _, store in
                        var counts = (0, 0)
                        var entries: [AuditEntry] = []   // written 500 at a time: one commit each, not one per client
                        for (i, client) in clients.enumerated() {
                            let saved = try await store.saveClient(client, actor: GlobalOptions.actor, deferAudit: true)
                            if saved.created { counts.0 += 1 } else { counts.1 += 1 }
                            if let entry = saved.audit { entries.append(entry) }
                            if entries.count == 500 {
                                await store.audit(entries)
                                entries = []
                            }
                            if !json && (i + 1) % 100 == 0 {
                                Progress.show("imported \(i + 1)/\(clients.count)")
                            }
                        }
                        await store.audit(entries)
                        return counts
                    }
                }
                if json {
                    print(JSONValue.object([
                        "clients": .int(Int64(clients.count)), "created": .int(Int64(created)), "updated": .int(Int64(updated)),
                        "contacts": .int(Int64(clients.reduce(0) { $0 + $1.contacts.count })), "dry_run": .bool(dryRun),
                    ]).canonicalText)
                } else if dryRun {
                    print("\(file): \(clients.count) clients are valid (nothing written)")
                } else {
                    print("imported \(clients.count) clients from \(file): \(created) new, \(updated) updated")
                }
            }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Remove a client and its contacts, stopping what is left of its messages.",
            discussion: """
                Deliveries not yet started, escalations not yet fired and open call tasks of the client's messages \
                are cancelled first (each message's events name cli:$USER and "client ID was deleted"); what was \
                sent stays in the history. Exit 1 when there is no such client. Works with the daemon running.
                """)
        @OptionGroup var options: GlobalOptions
        @Argument(help: "Client id.") var id: String
        @Flag(help: "Print the answer as JSON (the same shape as DELETE /v1/clients/{id}).") var json = false

        func run() async throws {
            try await CLIFailure.guarding {
                let deletion = try await options.withStore { _, store in
                    try await store.removeClient(id: id, actor: GlobalOptions.actor, now: Timestamps.now())
                }
                guard let deletion else { throw HeraldError.notFound("no client with id \(id)") }
                if json {
                    print(RecordJSON.deletion(deletion).canonicalText)
                    return
                }
                print("deleted client \(id)")
                if deletion.messages.isEmpty {
                    print("nothing of its messages was left to send")
                } else {
                    print("stopped \(deletion.messages.count) of its messages: \(deletion.deliveriesCancelled.count) deliveries cancelled, "
                        + "\(deletion.escalationsCancelled) escalations, \(deletion.tasksCancelled.count) call tasks")
                }
            }
        }
    }
}
