import Foundation
import GRDB
public import JinaHistoryCore

/// Reads a history database. Opens it read-only and reads in one WAL snapshot (``SQLiteSnapshot``), so a report
/// sees a consistent history and never blocks the recorder.
public final class HistoryReader: HistoryReading {
    /// The database file.
    public let path: String
    private let queue: DatabaseQueue
    /// The file's schema version: a database from an older jina-history is read as it is, without the tables
    /// later migrations add.
    let schemaVersion: Int

    /// Opens an existing database read-only.
    ///
    /// - throws: ``JinaHistoryError`` when there is no database at `path` (nothing is created), it holds no
    ///   history yet, or it is newer.
    public init(path: String) throws {
        self.path = path
        (queue, schemaVersion) = try HistoryDatabase.openReader(path: path)
    }

    /// The database file, as printed.
    public var location: String { path }

    /// Runs `body` over one read-only snapshot, turning database errors into one-line storage errors.
    public func withSnapshot<T>(_ body: (any HistorySnapshot) throws -> T) throws -> T {
        try readSnapshot { db in try body(SQLiteSnapshot(db, schemaVersion: schemaVersion)) }
    }

    /// Runs `body` in one read-only snapshot of the database itself.
    func readSnapshot<T>(_ body: (Database) throws -> T) throws -> T {
        try HistoryDatabase.storageError(path) { try queue.read(body) }
    }

    /// Sizes, rows per table and each target's rounds, from one snapshot.
    public func stats() throws -> DatabaseStats {
        let tables = ["target", "recorder_run", "run_target", "round", "attempt", "error", "transition", "annotation"]
            + (schemaVersion >= 3 ? ["storage_fault"] : []) + (schemaVersion >= 4 ? ["rollup", "prune"] : [])
            + (schemaVersion >= 5 ? ["rollup_day"] : []) + (schemaVersion >= 6 ? ["loose_rounds"] : [])
            + (schemaVersion >= 8 ? ["notification"] : [])
        let size = { (path: String) in
            ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.int64Value ?? 0
        }
        return try readSnapshot { db in
            let rows = try tables.map { ($0, try Int.fetchOne(db, sql: "SELECT count(*) FROM \($0)") ?? 0) }
            let targets = try Row.fetchAll(db, sql: """
                SELECT t.name, count(r.scheduled_ms) AS rounds, min(r.scheduled_ms) AS first_ms,
                       max(r.scheduled_ms) AS last_ms,
                       (SELECT rt.interval_ms FROM run_target rt WHERE rt.target_id = t.id
                         ORDER BY rt.run_id DESC LIMIT 1) AS interval_ms
                FROM target t LEFT JOIN round r ON r.target_id = t.id GROUP BY t.id ORDER BY t.name
                """).map { row in
                DatabaseStats.TargetShare(name: row["name"], rounds: row["rounds"], firstMs: row["first_ms"],
                                          lastMs: row["last_ms"], intervalMs: row["interval_ms"])
            }
            return DatabaseStats(
                schemaVersion: schemaVersion, fileBytes: size(path), walBytes: size(path + "-wal"),
                freePages: try Int.fetchOne(db, sql: "PRAGMA freelist_count") ?? 0,
                pageSize: try Int.fetchOne(db, sql: "PRAGMA page_size") ?? 4_096, rows: rows, targets: targets)
        }
    }
}
