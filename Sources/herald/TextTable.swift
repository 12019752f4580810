import Foundation
import HeraldCore

/// Aligned columns for terminal output, like `kubectl get` or `systemctl list-units`. Every cell
/// is shown as one line without control characters (``DisplayText``): cells carry what remote
/// servers and bounce reports said, which must not drive the operator's terminal.
struct TextTable {
    let headers: [String]
    var rows: [[String]] = []

    init(_ headers: String...) {
        self.headers = headers
    }

    init(_ headers: [String]) {
        self.headers = headers
    }

    mutating func add(_ cells: String...) {
        rows.append(cells.map(DisplayText.line))
    }

    mutating func add(_ cells: [String]) {
        rows.append(cells.map(DisplayText.line))
    }

    func render() -> String {
        let all = [headers] + rows
        var widths = [Int](repeating: 0, count: headers.count)
        for row in all {
            for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], cell.count) }
        }
        return all.map { row in
            row.enumerated().map { i, cell in
                i == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[i] - cell.count)
            }.joined(separator: "  ")
        }.joined(separator: "\n")
    }

    /// A free-text cell on one line of at most 60 characters.
    static func clipped(_ text: String) -> String {
        DisplayText.line(text, limit: 60)
    }
}
