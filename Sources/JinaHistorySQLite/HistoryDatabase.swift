import Foundation
import GRDB
import JinaHistoryCore

/// Opens history databases: path checks, pragmas and forward-only migrations from `migrations/*.sql`, whose
/// text is embedded in the binary at build time.
enum HistoryDatabase {
    /// Highest schema version this binary knows.
    static let latestVersion = embeddedMigrations.map(\.version).max() ?? 0

    /// Opens (creating if needed) the database for the single writer: WAL, `synchronous=NORMAL`, busy timeout,
    /// owner-only permissions (file, WAL and shared memory), migrated to the latest version.
    static func openWriter(path: String) throws -> DatabasePool {
        let url = URL(fileURLWithPath: path)
        var isDirectory: ObjCBool = false
        let existed = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
        if isDirectory.boolValue {
            throw JinaHistoryError.storage(StorageProblem(location: path, reason: .isDirectory))
        }
        if existed {
            try refuseNewerSchema(path: path)
        } else {
            try createDirectory(url.deletingLastPathComponent())
            // Created owner-only before SQLite opens it: SQLite gives the -wal and -shm files the database
            // file's mode, so none of the three is ever readable by others.
            guard FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600])
            else {
                throw JinaHistoryError.storage(
                    StorageProblem(location: path, reason: .cannotCreate(String(cString: strerror(errno)))))
            }
        }
        var configuration = Configuration()
        configuration.busyMode = .timeout(5)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            // A WAL that a long read kept from being reset is truncated back to this once it is reset.
            try db.execute(sql: "PRAGMA journal_size_limit = \(walSizeLimitBytes)")
        }
        do {
            if !existed {
                // Only a file without pages can take it, before WAL mode writes the first one: `prune` then gives
                // freed pages back to the file system.
                try storageError(path) {
                    try DatabaseQueue(path: path).writeWithoutTransaction { db in
                        try db.execute(sql: "PRAGMA auto_vacuum = INCREMENTAL; VACUUM")
                    }
                }
            }
            let pool = try storageError(path) { try DatabasePool(path: path, configuration: configuration) }
            try storageError(path) { try migrate(pool) }
            return pool
        } catch {
            // A database this call created and could not set up (disk full, no permission) is not left behind
            // half-made.
            if !existed { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
            throw error
        }
    }

    /// Opens an existing database read-only, with its schema version (an older one is read as it is: a reader
    /// never migrates). Reads run in WAL snapshots and never block the recorder.
    static func openReader(path: String) throws -> (queue: DatabaseQueue, schemaVersion: Int) {
        guard FileManager.default.fileExists(atPath: path) else {
            throw JinaHistoryError.storage(StorageProblem(location: path, reason: .notFound))
        }
        let version = try refuseNewerSchema(path: path)
        guard version > 0 else {
            throw JinaHistoryError.storage(StorageProblem(location: path, reason: .noHistoryYet))
        }
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(5)
        return (try storageError(path) { try DatabaseQueue(path: path, configuration: configuration) }, version)
    }

    /// Largest WAL kept on disk between checkpoints (SQLite checkpoints every 1,000 pages, about 4 MiB).
    static let walSizeLimitBytes = 64 << 20

    /// Applies every migration above the database's `user_version`, each in its own transaction together with
    /// the version bump, so a crash leaves the database at one version or the next, never between.
    static func migrate(_ writer: some DatabaseWriter) throws {
        try writer.writeWithoutTransaction { db in
            let current = try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0
            for migration in embeddedMigrations.sorted(by: { $0.version < $1.version }) where migration.version > current {
                try db.inTransaction(.immediate) {
                    try db.execute(sql: migration.sql)
                    try db.execute(sql: "PRAGMA user_version = \(migration.version)")
                    return .commit
                }
            }
        }
    }

    /// Reads the schema version without writing anything (no WAL switch, no migration) and refuses a database
    /// written by a newer jina-history, so an old binary never touches a newer file.
    @discardableResult
    private static func refuseNewerSchema(path: String) throws -> Int {
        var configuration = Configuration()
        configuration.readonly = true
        let version = try storageError(path) {
            try DatabaseQueue(path: path, configuration: configuration).read { db in
                try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0
            }
        }
        guard version <= latestVersion else {
            throw JinaHistoryError.storage(
                StorageProblem(location: path, reason: .newerSchema(found: version, known: latestVersion)))
        }
        return version
    }

    private static func createDirectory(_ directory: URL) throws {
        do {
            try FileManager.default.createDirectory(
                at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw JinaHistoryError.storage(
                StorageProblem(location: directory.path, reason: .cannotCreate(error.localizedDescription)))
        }
    }

    /// Runs `body`, turning SQLite's errors into typed storage problems with SQLite's code and words.
    static func storageError<T>(_ path: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as DatabaseError {
            throw JinaHistoryError.storage(problem(error, location: path))
        }
    }

    /// What SQLite's error means for the database at `location`.
    static func problem(_ error: DatabaseError, location: String) -> StorageProblem {
        let reason: StorageProblem.Reason =
            switch error.resultCode {
            case .SQLITE_NOTADB, .SQLITE_CORRUPT: .notAHistory
            case .SQLITE_READONLY, .SQLITE_CANTOPEN, .SQLITE_PERM: .readOnly
            case .SQLITE_FULL: .full
            case .SQLITE_IOERR: .inputOutput
            default: .other
            }
        return StorageProblem(location: location, reason: reason, detail: error.message ?? "\(error.resultCode)",
                              code: error.extendedResultCode.rawValue)
    }
}
