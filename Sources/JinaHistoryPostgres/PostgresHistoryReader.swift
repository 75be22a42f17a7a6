import Foundation
public import JinaHistoryCore
import PostgresNIO
import Synchronization

/// Reads a history in PostgreSQL (``HistoryReading``): each snapshot is one `REPEATABLE READ READ ONLY`
/// transaction, which never blocks the recorders writing beside it. Connections are kept between snapshots (a
/// served page reads many), one per snapshot running at once.
public final class PostgresHistoryReader: HistoryReading {
    /// The database, as printed (no password).
    public var location: String { connector.address.description }
    private let connector: PostgresConnector
    private let idle = Mutex<[PostgresSession]>([])
    /// The database's schema version: an older one is read as it is, without the columns later migrations add.
    private let schemaVersion: Int

    /// Connects to the database at `address` and checks its schema; a reader never migrates.
    ///
    /// - throws: ``JinaHistoryError`` (storage) when the server cannot be reached or refuses, the database holds
    ///   no history yet, or its schema is newer.
    public init(address: PostgresAddress, deadlineMs: Int64 = 10_000) throws {
        connector = PostgresConnector(address: address, deadlineMs: deadlineMs)
        let location = address.description
        let version = try BlockingCall.run { [connector] in
            try await connector.withConnection { try await PostgresMigrator.version($0) }
        }
        guard version > 0 else {
            throw JinaHistoryError.storage(StorageProblem(location: location, reason: .noHistoryYet))
        }
        guard version <= PostgresSchema.migrator.knownVersion else {
            throw JinaHistoryError.storage(StorageProblem(
                location: location, reason: .newerSchema(found: version, known: PostgresSchema.migrator.knownVersion)))
        }
        schemaVersion = version
    }

    public func withSnapshot<T>(_ body: (any HistorySnapshot) throws -> T) throws -> T {
        try inSnapshot { [schemaVersion] in try body(PostgresSnapshot($0, schemaVersion: schemaVersion)) }
    }

    /// Runs `body` in one read-only snapshot on an idle connection (or a new one).
    private func inSnapshot<T>(_ body: (PostgresSession) throws -> T) throws -> T {
        let session = idle.withLock { $0.popLast() } ?? PostgresSession(connector: connector)
        let result = try session.transaction("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY") {
            // A report's queries are short lookups whose estimates run to millions of rows: the JIT compiled them
            // for some 170 ms a report, longer than they ran (docs/benchmarks.md, "The central store").
            try session.execute("SET LOCAL jit = off")
            return try body(session)
        }
        if session.isConnected { idle.withLock { $0.append(session) } }
        return result
    }

    /// Sizes (the history's tables with their indexes and TOAST, as the server counts them), rows per table and
    /// each target's rounds, from one snapshot.
    public func stats() throws -> DatabaseStats {
        let tables = ["target", "recorder_run", "run_target", "round", "attempt", "error", "transition", "annotation",
                      "storage_fault", "rollup", "prune", "rollup_day", "loose_rounds", "notification"]
        return try inSnapshot { session in
            let rows = try tables.map { table in
                (table, Int(try session.value("SELECT count(*) FROM \(unescaped: table)", as: Int64.self) ?? 0))
            }
            let targets = try session.rows("""
                SELECT t.name, count(r.scheduled_ms), min(r.scheduled_ms), max(r.scheduled_ms),
                       (SELECT rt.interval_ms FROM run_target rt WHERE rt.target_id = t.id
                         ORDER BY rt.run_id DESC LIMIT 1)
                FROM target t LEFT JOIN round r ON r.target_id = t.id GROUP BY t.id ORDER BY t.name
                """).map { row in
                let (name, rounds, firstMs, lastMs, intervalMs) = try decoded(
                    row, as: (String, Int64, Int64?, Int64?, Int64?).self)
                return DatabaseStats.TargetShare(name: name, rounds: Int(rounds), firstMs: firstMs, lastMs: lastMs,
                                                 intervalMs: intervalMs)
            }
            let bytes = try session.value("""
                SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0)::int8 FROM pg_class c
                JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE c.relkind = 'r' AND n.nspname = current_schema()
                """, as: Int64.self) ?? 0
            let version = try session.value("SELECT max(version) FROM jina_history_schema", as: Int64.self) ?? 0
            return DatabaseStats(schemaVersion: Int(version), fileBytes: bytes, walBytes: 0, freePages: 0,
                                 pageSize: 8_192, rows: rows, targets: targets)
        }
    }
}
