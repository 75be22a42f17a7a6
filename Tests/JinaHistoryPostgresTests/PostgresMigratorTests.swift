import Foundation
import JinaHistoryCore
import JinaHistoryPostgres
import PostgresNIO
import Testing

/// Forward-only migrations on a real PostgreSQL: applied once under the advisory lock however many recorders start
/// together, all or nothing, and a newer database left untouched.
@Suite("PostgreSQL migrations", .enabled(if: TestPostgres.isRunning))
struct PostgresMigratorTests {
    private let two = PostgresMigrator(migrations: [
        .init(version: 1, name: "0001_first", sql: """
            CREATE TABLE first (id bigint PRIMARY KEY);
            CREATE TABLE second (id bigint PRIMARY KEY, first_id bigint NOT NULL REFERENCES first (id));
            CREATE INDEX second_by_first ON second (first_id);
            """),
        .init(version: 2, name: "0002_more", sql: "ALTER TABLE first ADD COLUMN note text NOT NULL DEFAULT ''"),
    ])

    private func connector(_ url: String) throws -> PostgresConnector {
        PostgresConnector(address: try PostgresAddress(url: url, environment: [:], homeDirectory: "/nonexistent"))
    }

    private func tables(_ connection: PostgresConnection) async throws -> [String] {
        let rows = try await connection.query(
            "SELECT table_name::text FROM information_schema.columns WHERE table_schema = 'public' ORDER BY 1",
            logger: PostgresConnector.testLogger)
        var names: [String] = []
        for try await name in rows.decode(String.self) { names.append(name) }
        return names
    }

    private func applied(_ connection: PostgresConnection) async throws -> [Int] {
        let rows = try await connection.query("SELECT version FROM jina_history_schema ORDER BY version",
                                              logger: PostgresConnector.testLogger)
        var versions: [Int] = []
        for try await version in rows.decode(Int.self) { versions.append(version) }
        return versions
    }

    @Test("ten recorders starting together: each migration applied once, every one of them at the last version")
    func concurrentStarts() async throws {
        try await TestPostgres.withFreshDatabase { url in
            let connector = try connector(url)
            let migrator = two
            let before = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<10 {
                    group.addTask { try await connector.withConnection { try await migrator.migrate($0, location: url) } }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(before.sorted() == [0] + Array(repeating: 2, count: 9), "one found nothing, nine found it done")
            try await connector.withConnection { connection async throws in
                #expect(try await applied(connection) == [1, 2])
                #expect(try await PostgresMigrator.version(connection) == 2)
                #expect(try await migrator.migrate(connection, location: url) == 2, "a later start changes nothing")
            }
        }
    }

    @Test("a migration that fails rolls back every one applied with it; the database stays at its version")
    func allOrNothing() async throws {
        try await TestPostgres.withFreshDatabase { url in
            let broken = PostgresMigrator(migrations: two.migrations + [
                .init(version: 3, name: "0003_broken", sql: "ALTER TABLE nowhere ADD COLUMN x int"),
            ])
            try await connector(url).withConnection { connection async throws in
                let error = try await #require(throws: JinaHistoryError.self) {
                    try await broken.migrate(connection, location: url)
                }
                guard case .storage(let problem) = error else { throw error }
                #expect(problem.detail.contains("nowhere") && problem.detail.contains("42P01"), "\(problem)")
                #expect(try await PostgresMigrator.version(connection) == 0)
                #expect(try await tables(connection).isEmpty, "neither 0001 nor 0002 is left half-made")
            }
        }
    }

    @Test("a database of a newer schema is refused and left exactly as it was")
    func newerSchemaUntouched() async throws {
        try await TestPostgres.withFreshDatabase { url in
            try await connector(url).withConnection { connection async throws in
                let newer = PostgresMigrator(migrations: two.migrations + [
                    .init(version: 3, name: "0003_newer", sql: "CREATE TABLE third (id bigint PRIMARY KEY)"),
                ])
                try await newer.migrate(connection, location: url)
                let before = try await tables(connection)

                let error = try await #require(throws: JinaHistoryError.self) {
                    try await two.migrate(connection, location: url)
                }
                #expect(error == .storage(StorageProblem(location: url, reason: .newerSchema(found: 3, known: 2))))
                let (after, versions) = (try await tables(connection), try await applied(connection))
                #expect(after == before && versions == [1, 2, 3])
            }
        }
    }
}
