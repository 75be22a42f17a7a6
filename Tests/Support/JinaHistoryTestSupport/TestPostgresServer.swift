import Foundation
import Testing

/// The throwaway PostgreSQL that `scripts/test` starts (scripts/lib/postgres.sh), as these tests use it: new
/// databases through `psql`, and an outage of the whole server.
public enum TestPostgresServer {
    /// The superuser's url, `nil` without a server (then these tests are skipped).
    public static let url = ProcessInfo.processInfo.environment["JINA_HISTORY_TEST_POSTGRES"]
    /// Whether a server is there.
    public static var isRunning: Bool { url != nil }

    /// The server's port.
    public static var port: Int { url.flatMap { URLComponents(string: $0)?.port } ?? 5432 }

    /// A new, empty database's url (the superuser's, without a password).
    public static func freshDatabase() async throws -> String {
        let name = "jh_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
        try await psql("postgres", "CREATE DATABASE \(name)")
        return "postgres://postgres@127.0.0.1:\(port)/\(name)?sslmode=disable"
    }

    /// Runs `sql` as the superuser in `database` through `psql`.
    public static func psql(_ database: String, _ sql: String) async throws {
        let result = try await runJinaHistory(
            ["psql", "-q", "-h", "127.0.0.1", "-p", "\(port)", "-U", "postgres", "-d", database, "-c", sql],
            binary: "/usr/bin/env")
        #expect(result.status == 0, "\(sql): \(result.stderr)")
    }

    /// Stops the server (`pause`) or starts it again on the same port and data (`resume`).
    public static func control(_ step: String) async throws {
        let script = TestPaths.repository.appending(path: "scripts/lib/postgres.sh").path
        let result = try await runJinaHistory(["bash", "-c", "source \(script) && \(step)_test_postgres"],
                                              binary: "/usr/bin/env")
        #expect(result.status == 0, "\(step): \(result.stderr)")
    }
}

