import ArgumentParser
import Foundation
import HeraldCore
import HeraldDispatch
import HeraldServer
import HeraldStore

struct Tasks: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Phone tasks of CSMs: list, show and complete calls (reads and writes the database; works with the daemon down).",
        subcommands: [List.self, Show.self, Complete.self], defaultSubcommand: List.self)

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List tasks (open ones unless --status says otherwise).")
        @OptionGroup var options: GlobalOptions
        @Option(help: "Only tasks of this CSM (email), or 'unassigned'.") var assignee: String?
        @Option(help: "open, done, cancelled (their message was cancelled before the call) or all.") var status = "open"
        @Option(help: "Only tasks about this client.") var client: String?
        @Flag(help: "Only open tasks past their due time.") var overdue = false
        @Option(help: "At most this many.") var limit = 100
        @Flag(help: "Print as JSON (the shape of GET /v1/tasks items).") var json = false

        func validate() throws {
            guard ["open", "done", "cancelled", "all"].contains(status) else {
                throw ValidationError("--status must be open, done, cancelled or all")
            }
            guard (1...10_000).contains(limit) else { throw ValidationError("--limit must be from 1 to 10000") }
        }

        func run() async throws {
            try await CLIFailure.guarding {
                let now = Timestamps.now()
                var query = TaskQuery(assignee: assignee, status: PhoneTask.Status(rawValue: status), clientID: client, limit: limit)
                if overdue { query.dueBefore = now }
                let (tasks, links) = try await options.withStore { config, store in
                    (try await store.tasks(matching: query), DashboardLinks(publicURL: config.server.publicURL))
                }
                if json {
                    print(JSONValue.array(tasks.map { TaskJSON.task($0, now: now, links: links) }).canonicalText)
                    return
                }
                var table = TextTable("TASK", "DUE", "STATUS", "ASSIGNEE", "CLIENT", "CONTACT", "CALL", "REASON")
                for t in tasks {
                    let state = switch t.status {
                    case .done: t.outcome?.rawValue ?? "done"
                    case .cancelled: "cancelled"
                    case .open: t.dueAt < now ? "OVERDUE" : "open"
                    }
                    table.add(
                        t.id, Timestamps.format(t.dueAt, fractionalSeconds: false), state, t.assignee ?? "unassigned",
                        t.clientName ?? t.clientID ?? "-", "\(t.contactName ?? "") \(t.phone)".trimmingCharacters(in: .whitespaces),
                        String(t.attempt), t.reason)
                }
                print(tasks.isEmpty ? "no tasks" : table.render())
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one task with its talking points.")
        @OptionGroup var options: GlobalOptions
        @Argument(help: "Task id (tsk_…).") var id: String
        @Flag(help: "Print as JSON (the shape of GET /v1/tasks/{id}).") var json = false

        func run() async throws {
            try await CLIFailure.guarding {
                let (task, links) = try await options.withStore { config, store in
                    (try await store.task(id: id), DashboardLinks(publicURL: config.server.publicURL))
                }
                guard let t = task else { throw HeraldError.notFound("no task with id \(id)") }
                let now = Timestamps.now()
                if json {
                    print(TaskJSON.task(t, now: now, links: links).canonicalText)
                    return
                }
                print("task      \(t.id) (call \(t.attempt))")
                let status = switch t.status {
                case .done: "done: \(t.outcome?.rawValue ?? "-")"
                case .cancelled: "cancelled by \(t.completedBy ?? "-") (its message was cancelled)"
                case .open: t.dueAt < now ? "open, OVERDUE" : "open"
                }
                print("status    \(status)")
                print("due       \(Timestamps.format(t.dueAt, fractionalSeconds: false))")
                print(DisplayText.line("assignee  \(t.assigneeName ?? "-") <\(t.assignee ?? "unassigned")>"))
                print(DisplayText.line("client    \(t.clientName ?? "-") (\(t.clientID ?? "-"))"))
                print(DisplayText.line("call      \(t.contactName ?? "the contact") at \(t.phone)"))
                print("reason    \(DisplayText.line(t.reason))")
                if let note = t.note { print("note      \(DisplayText.line(note))") }
                print("page      \(links.task(t.id))")
                print("")
                print(DisplayText.block(t.talkingPoints))
            }
        }
    }

    struct Complete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Report the outcome of a call.",
            discussion: """
                reached and voicemail mark the delivery delivered; no_answer opens a follow-up call until the \
                channel's max_attempts, then fails the delivery; wrong_number fails it and suppresses the number. \
                Exits 1 when the task is unknown or already done (the message says which).
                """)
        @OptionGroup var options: GlobalOptions
        @Argument(help: "Task id (tsk_…).") var id: String
        @Option(help: "reached, voicemail, no_answer or wrong_number.") var outcome: String
        @Option(help: "What happened on the call.") var note: String?
        @Flag(help: "Print the result as JSON (the shape of POST /v1/tasks/{id}/complete).") var json = false

        func validate() throws {
            guard PhoneTask.Outcome(rawValue: outcome) != nil else {
                throw ValidationError("--outcome must be one of: " + PhoneTask.Outcome.allCases.map(\.rawValue).joined(separator: ", "))
            }
            if let note, note.count > 2_000 { throw ValidationError("--note: at most 2000 characters") }
        }

        func run() async throws {
            try await CLIFailure.guarding {
                guard let outcome = PhoneTask.Outcome(rawValue: outcome) else { return }
                let actor = "cli:" + (ProcessInfo.processInfo.environment["USER"] ?? "unknown")
                let now = Timestamps.now()
                let (task, followUp, links) = try await options.withStore { config, store in
                    let renderer = MessageRenderer(library: try config.loadTemplates())
                    let desk = PhoneDesk(config: config, store: store, renderer: renderer, logger: options.makeLogger())
                    let (task, followUp) = try await desk.complete(taskID: id, outcome: outcome, note: note, actor: actor, now: now)
                    return (task, followUp, DashboardLinks(publicURL: config.server.publicURL))
                }
                if json {
                    print(JSONValue.object([
                        "task": TaskJSON.task(task, now: now, links: links),
                        "follow_up": followUp.map { TaskJSON.task($0, now: now, links: links) } ?? .null,
                    ]).canonicalText)
                    return
                }
                print("\(task.id): \(outcome.rawValue)")
                if let next = followUp {
                    print("follow-up \(next.id) (call \(next.attempt)) due \(Timestamps.format(next.dueAt, fractionalSeconds: false))")
                }
            }
        }
    }
}
