import ArgumentParser
import Foundation
import HeraldChannels
import HeraldCore
import HeraldServer
import HeraldStore

struct Bounce: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Apply bounce reports (DSNs) that arrived at the bounce address.",
        discussion: """
            Reads one email — a delivery status notification (RFC 3464) — from standard input, as a mail server's \
            pipe delivers it (Postfix: a pipe transport for the bounce address running herald bounce), or every \
            message of FILE… (a Maildir's new/* files, or mbox mailboxes with --mbox). Each recipient that \
            failed for good (5.x.x) fails the delivery its returned Message-ID names and starts its fallback; \
            an address refused (5.1.x) is also suppressed. Delays and anything that is not a report change \
            nothing and exit 0, so the mail server never bounces a bounce; exit 75 when the database cannot be \
            reached (the mail server tries again later), 66 when a file cannot be read.
            """)
    @OptionGroup var options: GlobalOptions
    @Argument(help: "Message files, or mbox files with --mbox (default: one message on standard input).") var files: [String] = []
    @Flag(help: "The files are mbox mailboxes of many messages.") var mbox = false
    @Flag(help: "Print the outcome as JSON (one message: the shape of POST /v1/bounces).") var json = false

    func run() async throws {
        try await CLIFailure.guarding {
            var messages: [(source: String, raw: [UInt8])] = []
            if files.isEmpty {
                messages.append(("stdin", Array(FileHandle.standardInput.readDataToEndOfFile())))
            }
            for file in files {
                guard let data = FileManager.default.contents(atPath: file) else { throw CLIFailure("cannot read \(file)", code: 66) }
                if mbox {
                    for (i, raw) in Mbox.messages(Array(data)).enumerated() { messages.append(("\(file)#\(i + 1)", raw)) }
                } else {
                    messages.append((file, Array(data)))
                }
            }
            let reports = messages.map { (source: $0.source, report: DSNReport.parse($0.raw)) }
            var outcomes: [[BounceIntake.Outcome]] = []
            if reports.contains(where: { $0.report != nil }) {
                do {
                    outcomes = try await options.withStore { _, store in
                        var all: [[BounceIntake.Outcome]] = []
                        for (i, item) in reports.enumerated() {
                            if let report = item.report {
                                all.append(try await BounceIntake.apply(report, store: store, now: Timestamps.now()))
                            } else {
                                all.append([])
                            }
                            if !json && reports.count > 100 && (i + 1) % 100 == 0 { Progress.show("read \(i + 1)/\(reports.count) messages") }
                        }
                        if !json && reports.count > 100 { Progress.done() }
                        return all
                    }
                } catch {
                    // Anything but a configuration error is worth the mail server's retry.
                    let failure = CLIFailure(error)
                    throw failure.code == 78 ? failure : CLIFailure(failure.message + " (try again later)", code: 75)
                }
            } else {
                outcomes = reports.map { _ in [] }
            }
            print(json ? Self.json(reports, outcomes, single: files.isEmpty || (files.count == 1 && !mbox)) : Self.text(reports, outcomes))
        }
    }

    private static func json(_ reports: [(source: String, report: DSNReport?)], _ outcomes: [[BounceIntake.Outcome]], single: Bool) -> String {
        let items = zip(reports, outcomes).map { item, outcomes -> JSONValue in
            guard let report = item.report else { return .object(["delivery_id": .null, "recipients": .array([]), "reporting_mta": .null]) }
            return BounceIntake.json(report, outcomes)
        }
        if single, let only = items.first { return only.canonicalText }
        let all = outcomes.flatMap { $0 }
        return JSONValue.object([
            "reports": .array(zip(reports, items).map { item, json in
                guard case .object(var fields) = json else { return json }
                fields["source"] = .string(item.source)
                return .object(fields)
            }),
            "summary": .object(Self.summary(reports, all).mapValues { JSONValue.int(Int64($0)) }),
        ]).canonicalText
    }

    private static func text(_ reports: [(source: String, report: DSNReport?)], _ outcomes: [[BounceIntake.Outcome]]) -> String {
        var lines: [String] = []
        for (item, outcomes) in zip(reports, outcomes) {
            let prefix = reports.count > 1 ? item.source + ": " : ""
            guard let report = item.report else {
                lines.append(prefix + "not a delivery status report: nothing to do")
                continue
            }
            for o in outcomes {
                lines.append(prefix + "\(o.recipient.address) \(o.recipient.status) (\(report.deliveryID ?? "no delivery")): \(o.result)")
            }
        }
        if reports.count > 1 {
            let s = summary(reports, outcomes.flatMap { $0 })
            lines.append("\(s["messages"] ?? 0) messages, \(s["reports"] ?? 0) reports: \(s["bounced"] ?? 0) bounced, "
                + "\(s["failed"] ?? 0) failed, \(s["ignored"] ?? 0) changed nothing")
        }
        return lines.joined(separator: "\n")
    }

    private static func summary(_ reports: [(source: String, report: DSNReport?)], _ all: [BounceIntake.Outcome]) -> [String: Int] {
        let bounced = all.filter { $0.result == "bounced" }.count
        let failed = all.filter { $0.result.hasPrefix("failed") }.count
        return [
            "messages": reports.count, "reports": reports.filter { $0.report != nil }.count, "bounced": bounced, "failed": failed,
            "ignored": all.count - bounced - failed,
        ]
    }
}
