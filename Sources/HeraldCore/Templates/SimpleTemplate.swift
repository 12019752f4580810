/// Recognises the inline templates most services send — text with plain variable tags
/// (`{{name}}`, `{{{name}}}`) and nothing else — and checks them against the data without
/// running Mustache. Rendering them through swift-mustache to check them at enqueue was 6–7 % of an
/// enqueue's CPU (its contexts are `Any`s found through dynamic casts).
///
/// The answer is only ever "renders cleanly" or "cannot tell": a source with any other tag
/// (sections, partials, dotted names, comments, delimiters, a lone `{`…), a name the data
/// lacks, or a value that could break a single-line field is left to the full render, which
/// then produces the error message. The property tests hold it to the full render's verdict.
enum SimpleTemplate {
    /// Whether `source`, rendered over the root object `fields`, resolves every name; with
    /// `singleLine`, also that it renders without a line break. False means "not known".
    static func rendersCleanly(_ source: String, fields: [String: JSONValue], singleLine: Bool) -> Bool {
        if singleLine && DestinationRules.hasLineBreak(source) { return false }
        var source = source
        return source.withUTF8 { bytes -> Bool in
            var i = 0
            let n = bytes.count
            while i < n {
                if bytes[i] != 0x7B {
                    i += 1
                    continue
                }
                // A lone `{` is text to the Mustache spec, but swift-mustache refuses some (one at
                // the end of a source is a parse error): leave any to the full render.
                guard i + 1 < n, bytes[i + 1] == 0x7B else { return false }
                // A tag: `{{name}}` or `{{{name}}}`, spaces allowed around the name.
                let triple = i + 2 < n && bytes[i + 2] == 0x7B
                var j = i + (triple ? 3 : 2)
                while j < n && bytes[j] == 0x20 { j += 1 }
                let nameStart = j
                while j < n && isNameByte(bytes[j]) { j += 1 }
                let nameEnd = j
                while j < n && bytes[j] == 0x20 { j += 1 }
                let closing = triple ? 3 : 2
                guard nameEnd > nameStart, j + closing <= n else { return false }
                for k in j..<(j + closing) where bytes[k] != 0x7D { return false }
                let name = String(decoding: UnsafeBufferPointer(rebasing: bytes[nameStart..<nameEnd]), as: UTF8.self)
                guard let value = fields[name] else { return false }
                switch value {
                case .null, .bool, .int, .double: break
                case .string(let text): if singleLine && DestinationRules.hasLineBreak(text) { return false }
                case .array, .object: return false
                }
                i = j + closing
            }
            return true
        }
    }

    /// Letters, digits, `_` and `-`: names that mean the same to Mustache as to a dictionary.
    private static func isNameByte(_ c: UInt8) -> Bool {
        (c >= 0x61 && c <= 0x7A) || (c >= 0x41 && c <= 0x5A) || (c >= 0x30 && c <= 0x39) || c == 0x5F || c == 0x2D
    }
}
