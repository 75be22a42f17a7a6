import Foundation
import JinaHistoryCore
public import PostgresNIO

/// Applies numbered schema migrations to a PostgreSQL database, forward only (docs/storage.md, "PostgreSQL").
///
/// Everything happens in one transaction that first takes a transaction-level advisory lock, so recorders that
/// start together wait for each other instead of racing: the first applies what is missing, the others then find
/// nothing to do. The version lives in the database (`jina_history_schema`, one row per applied migration). A
/// database whose version is newer than this binary's is refused and left exactly as it was; a failed migration
/// rolls back with everything before it in the same call.
public struct PostgresMigrator: Sendable {
    /// One migration: its version, its name, and its SQL (any number of statements).
    public struct Migration: Sendable {
        /// Its number; versions rise by one from 1.
        public var version: Int
        /// Its file name without the extension.
        public var name: String
        /// Its statements.
        public var sql: String

        /// Creates a migration.
        public init(version: Int, name: String, sql: String) {
            self.version = version
            self.name = name
            self.sql = sql
        }
    }

    /// The advisory lock's key: "jinahist" in ASCII, so that it is recognisable in `pg_locks`.
    public static let lockKey: Int64 = 0x6A69_6E61_6869_7374

    /// The migrations, in version order.
    public let migrations: [Migration]

    /// Prepares to apply `migrations` (sorted here by version).
    public init(migrations: [Migration]) {
        self.migrations = migrations.sorted { $0.version < $1.version }
    }

    /// The version this binary knows: its last migration's.
    public var knownVersion: Int { migrations.last?.version ?? 0 }

    /// Brings the database to ``knownVersion``.
    ///
    /// - returns: the version the database had before (0 for a new one).
    /// - throws: ``JinaHistoryError`` (storage, newer schema) for a newer database, untouched; the server's error,
    ///   as a storage problem, when a migration fails (rolled back).
    @discardableResult
    public func migrate(_ connection: PostgresConnection, location: String) async throws -> Int {
        let logger = PostgresConnector.logger
        try await connection.query("BEGIN", logger: logger)
        do {
            try await connection.query("SELECT pg_advisory_xact_lock(\(Self.lockKey))", logger: logger)
            try await connection.query("""
                CREATE TABLE IF NOT EXISTS jina_history_schema (
                    version    integer PRIMARY KEY,
                    name       text    NOT NULL,
                    applied_ms bigint  NOT NULL
                )
                """, logger: logger)
            let found = try await Self.version(connection)
            guard found <= knownVersion else {
                throw JinaHistoryError.storage(StorageProblem(
                    location: location, reason: .newerSchema(found: found, known: knownVersion)))
            }
            for migration in migrations where migration.version > found {
                for statement in SQLStatements.split(migration.sql) {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                let appliedMs = Int64(Date().timeIntervalSince1970 * 1_000)
                try await connection.query("""
                    INSERT INTO jina_history_schema (version, name, applied_ms)
                    VALUES (\(migration.version), \(migration.name), \(appliedMs))
                    """, logger: logger)
            }
            try await connection.query("COMMIT", logger: logger)
            return found
        } catch {
            _ = try? await connection.query("ROLLBACK", logger: logger)
            if let error = error as? JinaHistoryError { throw error }
            throw PostgresConnector.problem(error, location: location)
        }
    }

    /// The database's schema version without changing anything: 0 when it holds no jina-history schema.
    public static func version(_ connection: PostgresConnection) async throws -> Int {
        let logger = PostgresConnector.logger
        let exists = try await connection.query("SELECT to_regclass('jina_history_schema') IS NOT NULL",
                                                logger: logger)
        for try await present in exists.decode(Bool.self) where !present { return 0 }
        let rows = try await connection.query("SELECT coalesce(max(version), 0)::integer FROM jina_history_schema",
                                              logger: logger)
        for try await version in rows.decode(Int.self) { return version }
        return 0
    }
}
