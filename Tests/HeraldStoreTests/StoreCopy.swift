import HeraldCore
import HeraldStore
import Testing

/// Moves every table from one store into another the way `herald export` / `herald import` do:
/// pages of rows in key order through `exportRows(after:)` and `importRows`.
enum StoreCopy {
    static func everyTable(from source: any Store, to target: any Store, pageSize: Int = 3) async throws {
        for table in StoreTable.all {
            var after: [JSONValue]? = nil
            while true {
                let rows = try await source.exportRows(table, after: after, limit: pageSize)
                if rows.isEmpty { break }
                try await target.importRows(table, rows)
                after = table.key(of: try #require(rows.last))
            }
        }
    }
}
