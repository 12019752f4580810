import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One progress line on standard error, rewritten in place on a terminal.
enum Progress {
    static let terminal = isatty(STDERR_FILENO) == 1

    static func show(_ text: String) {
        FileHandle.standardError.write(Data((terminal ? "\r\u{1B}[K" + text : text + "\n").utf8))
    }

    static func done() {
        if terminal { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}
