import Foundation
import TOMLKit

extension ConfigLoader {
    /// Reads `[digest]`: nil (no digest) when the table is absent.
    static func parseDigest(_ root: inout TOMLReader) -> DigestSettings? {
        let present = root.table["digest"] != nil
        var table = root.child("digest")
        defer { root.merge(table) }
        guard present else { return nil }
        var settings = DigestSettings()
        if let at = table.string("at") {
            if let minute = BusinessHours.minutes(Substring(at)), minute < 24 * 60 { settings.at = minute } else {
                table.fail("at", "must be a time of day HH:MM, e.g. \"09:00\"")
            }
        }
        if let names = table.strings("days") {
            if let days = BusinessHours.weekdays(names) { settings.days = days } else {
                table.fail("days", "must list day names: mon, tue, wed, thu, fri, sat, sun")
            }
        }
        if let zone = table.string("timezone") {
            if TimeZone(identifier: zone) == nil { table.fail("timezone", "unknown IANA time zone, e.g. Asia/Shanghai") }
            settings.timezone = zone
        }
        settings.channel = table.string("channel")
        if let skip = table.bool("skip_empty") { settings.skipEmpty = skip }
        if let n = table.int("clients", range: 0...50) { settings.clients = n }
        return settings
    }

    /// `[digest] channel` must be an email channel, and there must be one.
    static func digestProblems(_ digest: DigestSettings?, channels: [ChannelConfig], file: String) -> [String] {
        guard let digest else { return [] }
        let emails = channels.filter { $0.kind == .email }.map(\.name)
        if let name = digest.channel, !emails.contains(name) {
            return ["\(file): [digest] channel '\(name)' is not an email channel (email channels: \(emails.isEmpty ? "none" : emails.joined(separator: ", ")))"]
        }
        return emails.isEmpty ? ["\(file): [digest] needs an email channel to send by"] : []
    }
}
