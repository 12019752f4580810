/// Reads a file of addresses to suppress (`herald suppressions import`): one address per line, or
/// CSV rows `address[,category[,reason]]`. A header row starting with `address`, blank lines and
/// lines starting with `#` are skipped; a row's category and reason default to the command's. The
/// whole file is checked first: every problem is named as `file:line: column`, and nothing is
/// written while there is one.
public enum SuppressionImport {
    public static func parse(
        _ text: String, file: String, category: Suppression.Category, reason: String?, actor: String, now: Int64
    ) throws(HeraldError) -> [Suppression] {
        var entries: [Suppression] = []
        var seen: Set<String> = []
        var problems: [HeraldError.FieldProblem] = []
        for row in CSVReader.rows(text) {
            let fields = row.fields.map { $0.trimmingSpaces }
            guard let first = fields.first, !first.isEmpty, !first.hasPrefix("#") else { continue }
            if row.line == 1 && first.lowercased() == "address" { continue }
            func fail(_ column: String, _ why: String) { problems.append(.init(name: "\(file):\(row.line): \(column)", reason: why)) }
            if fields.count > 3 { fail("row", "at most three columns: address, category, reason") }
            if let problem = Suppression.addressProblem(first) { fail("address", problem) }
            var rowCategory = category
            if fields.count > 1, !fields[1].isEmpty {
                if let parsed = Suppression.Category(rawValue: fields[1]) { rowCategory = parsed } else {
                    fail("category", "must be all or marketing")
                }
            }
            let rowReason = fields.count > 2 && !fields[2].isEmpty ? fields[2] : reason
            if let rowReason {
                if rowReason.count > 500 { fail("reason", "longer than 500 characters") }
                if DestinationRules.hasLineBreak(rowReason) { fail("reason", "must not contain line breaks") }
            } else {
                fail("reason", "required: give --reason or a third column")
            }
            let address = Suppression.key(first)
            guard seen.insert(rowCategory.rawValue + ":" + address).inserted else { continue }
            entries.append(Suppression(
                address: address, category: rowCategory.rawValue, source: Suppression.Source.manual.rawValue,
                reason: rowReason ?? "", actor: actor, createdAt: now))
        }
        if !problems.isEmpty { throw .invalid(problems) }
        return entries
    }
}

extension String {
    /// Without leading and trailing spaces and tabs.
    fileprivate var trimmingSpaces: String {
        var scalars = Substring(self).unicodeScalars
        while let first = scalars.first, first == " " || first == "\t" { scalars.removeFirst() }
        while let last = scalars.last, last == " " || last == "\t" { scalars.removeLast() }
        return String(scalars)
    }
}
