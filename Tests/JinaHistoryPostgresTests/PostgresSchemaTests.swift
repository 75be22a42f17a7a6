import Foundation
import GRDB
import JinaHistoryPostgres
import JinaHistorySQLite
import JinaHistoryTestSupport
import PostgresNIO
import Testing

/// The PostgreSQL schema as the catalog shows it, after the writer created it: the same tables and columns as
/// SQLite's, and an index for every foreign key.
@Suite("PostgreSQL schema", .enabled(if: TestPostgres.isRunning))
struct PostgresSchemaTests {
    /// Columns a PostgreSQL history has and a SQLite one has not, each for a reason docs/storage.md gives.
    private static let postgresOnly: Set<String> = ["jina_history_schema.*", "recorder_run.batches"]

    private func strings(_ connection: PostgresConnection, _ query: PostgresQuery) async throws -> [String] {
        var values: [String] = []
        for try await value in try await connection.query(query, logger: PostgresConnector.testLogger)
            .decode(String.self) { values.append(value) }
        return values
    }

    @Test("both engines have the same tables and columns at the same version")
    func sameColumns() async throws {
        let directory = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appending(path: "history.sqlite").path
        _ = try HistoryWriter(path: path)
        let sqlite = try await DatabaseQueue(path: path).read { db in
            try String.fetchAll(db, sql: """
                SELECT m.name || '.' || c.name FROM sqlite_schema m, pragma_table_info(m.name) c
                WHERE m.type = 'table' ORDER BY 1
                """)
        }
        try await TestPostgres.withFreshDatabase { url in
            let address = try PostgresAddress(url: url, environment: [:], homeDirectory: "/nonexistent")
            _ = try PostgresHistoryWriter(address: address)
            try await PostgresConnector(address: address).withConnection { connection async throws in
                let postgres = try await strings(connection, """
                    SELECT table_name || '.' || column_name FROM information_schema.columns
                    WHERE table_schema = 'public' ORDER BY 1
                    """)
                let shared = postgres.filter { column in
                    !Self.postgresOnly.contains(column)
                        && !Self.postgresOnly.contains(column.prefix { $0 != "." } + ".*")
                }
                #expect(Set(shared) == Set(sqlite), """
                    only in PostgreSQL: \(Set(shared).subtracting(sqlite).sorted()); \
                    only in SQLite: \(Set(sqlite).subtracting(shared).sorted())
                    """)
                let version = try await PostgresMigrator.version(connection)
                let sqliteVersion = try await DatabaseQueue(path: path).read {
                    try Int.fetchOne($0, sql: "PRAGMA user_version")
                }
                #expect(version == sqliteVersion)
            }
        }
    }

    @Test("every foreign key's columns lead an index (Gatus's slow queries came from ones without)")
    func foreignKeysIndexed() async throws {
        try await TestPostgres.withFreshDatabase { url in
            let address = try PostgresAddress(url: url, environment: [:], homeDirectory: "/nonexistent")
            _ = try PostgresHistoryWriter(address: address)
            try await PostgresConnector(address: address).withConnection { connection async throws in
                let foreignKeys = try await strings(connection, """
                    SELECT c.conrelid::regclass::text || '(' || array_to_string(c.conkey, ',') || ')'
                    FROM pg_constraint c WHERE c.contype = 'f' ORDER BY 1
                    """)
                let unindexed = try await strings(connection, """
                    SELECT c.conrelid::regclass::text || '(' || array_to_string(c.conkey, ',') || ')'
                    FROM pg_constraint c WHERE c.contype = 'f' AND NOT EXISTS (
                        SELECT 1 FROM pg_index i WHERE i.indrelid = c.conrelid
                        AND (i.indkey::int2[])[0:cardinality(c.conkey) - 1] = c.conkey)
                    ORDER BY 1
                    """)
                #expect(foreignKeys.count >= 15, "\(foreignKeys)")
                #expect(unindexed.isEmpty, "foreign keys without an index: \(unindexed)")
            }
        }
    }
}
