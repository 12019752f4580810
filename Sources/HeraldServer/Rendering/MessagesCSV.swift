import HeraldCore
import HeraldStore
import Hummingbird

/// Messages as CSV, one row per delivery (`GET /v1/messages?format=csv`, a client's download on the
/// dashboard, `herald messages --csv`): what went to whom, on which channel, and what became of it.
public enum MessagesCSV {
    public static let header = [
        "message_id", "created_at", "client_id", "tier", "template", "subject", "priority", "category", "delivery_id",
        "channel", "destination", "status", "attempts", "updated_at", "last_error", "resend_of",
    ]

    /// The rows of one message: one per delivery (destinations redacted as in the JSON).
    public static func rows(_ m: Message, _ deliveries: [Delivery]) -> [[CSV.Field]] {
        let message: [CSV.Field] = [
            .text(m.id), .text(Timestamps.format(m.createdAt)), .text(m.clientID ?? ""), .text(m.tier ?? ""),
            .text(m.template ?? ""), .text(m.subject ?? ""), .text(m.priority.rawValue), .text(m.category.rawValue),
        ]
        return deliveries.map { d in
            message + [
                .text(d.id), .text(d.channel), .text(DestinationRules.redacted(d.destination)), .text(d.state.rawValue),
                .int(d.attempts), .text(Timestamps.format(d.updatedAt)), .text(d.lastError ?? ""), .text(d.resendOf ?? ""),
            ]
        }
    }

    /// Every message `query` matches from its cursor on, newest first, a page at a time; `emit`
    /// gets the CSV text of each page (the header first), so an export of any size holds one page.
    public static func export(
        _ store: any Store, _ query: MessageQuery, byteOrderMark: Bool = false, maximum: Int? = nil,
        emit: (String) async throws -> Void
    ) async throws {
        try await emit((byteOrderMark ? CSV.byteOrderMark : "") + CSV.line(header.map(CSV.Field.text)))
        var page = query
        var left = maximum ?? Int.max
        while left > 0 {
            page.limit = min(500, left)
            let found = try await store.messages(matching: page)
            var text = ""
            for (m, deliveries) in found.items { for row in rows(m, deliveries) { text += CSV.line(row) } }
            if !text.isEmpty { try await emit(text) }
            left -= found.items.count
            guard let next = found.nextCursor else { break }
            page.cursor = next
        }
    }

    /// A streamed download of ``export(_:_:byteOrderMark:maximum:emit:)``. A read that fails midway
    /// ends the connection without the last chunk, so the client sees a broken download, not a
    /// short file.
    /// `name` is the file's name before its time stamp: `herald-messages` makes
    /// `herald-messages-20261207221129.csv`.
    static func response(_ store: any Store, _ query: MessageQuery, name: String, byteOrderMark: Bool) -> Response {
        let stamp = Timestamps.format(Timestamps.now(), fractionalSeconds: false).filter(\.isNumber)
        return Response(status: .ok, headers: CSVResponse.headers(filename: "\(name)-\(stamp).csv"), body: ResponseBody { writer in
            try await export(store, query, byteOrderMark: byteOrderMark) { text in
                try await writer.write(ByteBuffer(string: text))
            }
            try await writer.finish(nil)
        })
    }
}
