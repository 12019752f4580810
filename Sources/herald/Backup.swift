import ArgumentParser
import Foundation
import HeraldCore
import HeraldStore

struct Backup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a consistent copy of the database while the daemon keeps serving.",
        discussion: "The copy is checked with PRAGMA integrity_check before the command succeeds.")

    @OptionGroup var options: GlobalOptions
    @Argument(help: "Where to write the backup (must not exist).") var path: String
    @Flag(help: "Print a JSON summary.") var json = false

    func run() async throws {
        try await CLIFailure.guarding {
            guard !FileManager.default.fileExists(atPath: path) else {
                throw CLIFailure("\(path) exists; choose a new file", code: 73)
            }
            let target = path
            let started = ContinuousClock.now
            let bytes = try await options.withStore { _, store in
                guard let store = store as? SQLiteStore else {
                    throw CLIFailure("herald backup copies the SQLite file; back up PostgreSQL with pg_dump", code: 64)
                }
                let total = try await store.sizeInBytes()
                // VACUUM INTO reports no progress: watch the file grow meanwhile.
                let progress = Task {
                    while !Task.isCancelled {
                        try await Task.sleep(for: .milliseconds(500))
                        let done = (try? FileManager.default.attributesOfItem(atPath: target)[.size] as? Int64) ?? 0
                        if !json, total > 0 {
                            Progress.show("backup: \(min(100, done * 100 / total))% of \(total / 1024) KiB")
                        }
                    }
                }
                defer { progress.cancel() }
                try await store.backup(to: target)
                return (try? FileManager.default.attributesOfItem(atPath: target)[.size] as? Int64) ?? 0
            }
            let check = try SQLiteStore.integrityCheck(path: target)
            guard check == "ok" else { throw CLIFailure("the backup failed its integrity check: \(check)", code: 74) }
            let seconds = Double((ContinuousClock.now - started).components.attoseconds) / 1e18
                + Double((ContinuousClock.now - started).components.seconds)
            if json {
                print(JSONValue.object(["path": .string(target), "bytes": .int(bytes), "integrity": .string(check)]).canonicalText)
            } else {
                Progress.done()
                print("backup written to \(target): \(bytes / 1024) KiB in \(String(format: "%.1f", seconds)) s, integrity ok")
            }
        }
    }
}

struct Restore: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Replace the database with a backup (stop the daemon first).",
        discussion: "The backup is checked with PRAGMA integrity_check first; the current database is kept as <db>.before-restore.")

    @OptionGroup var options: GlobalOptions
    @Argument(help: "The backup file.") var path: String

    func run() async throws {
        try await CLIFailure.guarding {
            let config = try options.loadConfig()
            guard !config.database.isPostgres else {
                throw CLIFailure("herald restore replaces the SQLite file; restore PostgreSQL with pg_restore", code: 64)
            }
            guard FileManager.default.fileExists(atPath: path) else { throw CLIFailure("cannot read \(path)", code: 66) }
            let check = try SQLiteStore.integrityCheck(path: path)
            guard check == "ok" else { throw CLIFailure("\(path) failed its integrity check: \(check)", code: 65) }
            let lock = try DaemonLock(databasePath: config.database.path)
            guard lock.tryAcquire() else {
                throw CLIFailure("the daemon is running on \(config.database.path); stop it first (systemctl stop herald)", code: 75)
            }
            defer { lock.release() }
            let fm = FileManager.default
            let db = config.database.path
            if fm.fileExists(atPath: db) {
                try? fm.removeItem(atPath: db + ".before-restore")
                try fm.moveItem(atPath: db, toPath: db + ".before-restore")
            }
            for suffix in ["-wal", "-shm"] { try? fm.removeItem(atPath: db + suffix) }
            try fm.copyItem(atPath: path, toPath: db)
            print("restored \(db) from \(path) (the previous database is \(db).before-restore)")
        }
    }
}
