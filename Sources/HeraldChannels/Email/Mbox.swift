/// The messages of an mbox mailbox (mboxrd, as mail servers and mail clients write them): each
/// starts at a `From ` line at the top of the file or after a blank line, and a body line that
/// reads `>From `, `>>From `, … loses one `>`.
public enum Mbox {
    public static func messages(_ data: [UInt8]) -> [[UInt8]] {
        var messages: [[UInt8]] = []
        var current: [UInt8]? = nil
        var previousBlank = true
        for line in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            let text = line.last == UInt8(ascii: "\r") ? line.dropLast() : line[...]
            if previousBlank && text.starts(with: "From ".utf8) {
                if let message = current { messages.append(trimmed(message)) }
                current = []
                previousBlank = false
                continue
            }
            previousBlank = text.isEmpty
            guard current != nil else { continue }
            var body = line[...]
            if let first = body.firstIndex(where: { $0 != UInt8(ascii: ">") }), first > body.startIndex,
                body[first...].starts(with: "From ".utf8)
            {
                body = body.dropFirst()
            }
            current?.append(contentsOf: body)
            current?.append(UInt8(ascii: "\n"))
        }
        if let message = current { messages.append(trimmed(message)) }
        return messages.filter { !$0.isEmpty }
    }

    /// Without the blank line that separates it from the next message (and the file's last newline).
    private static func trimmed(_ message: [UInt8]) -> [UInt8] {
        var message = message
        while let last = message.last, last == UInt8(ascii: "\n") || last == UInt8(ascii: "\r") { message.removeLast() }
        message.append(UInt8(ascii: "\n"))
        return message
    }
}
