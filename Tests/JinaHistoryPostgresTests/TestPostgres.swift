import Foundation
import JinaHistoryPostgres
import Logging
import PostgresNIO
import Testing

/// The throwaway PostgreSQL server `scripts/test` starts (scripts/lib/postgres.sh), and a new database on it per
/// test, dropped afterwards, so tests never see each other's tables.
enum TestPostgres {
    /// The superuser's url, or `nil` when no server was started (then these tests are skipped, and `scripts/test`
    /// always starts one).
    static let url = ProcessInfo.processInfo.environment["JINA_HISTORY_TEST_POSTGRES"]
    /// The password of the role `jh_password`, which logs in with SCRAM.
    static let password = ProcessInfo.processInfo.environment["JINA_HISTORY_TEST_POSTGRES_PASSWORD"] ?? ""
    /// Whether a server is there.
    static var isRunning: Bool { url != nil }

    /// The server's port.
    static var port: Int { URLComponents(string: url ?? "")?.port ?? 0 }

    /// Runs `body` with the url of a new, empty database owned by the superuser; drops it afterwards.
    static func withFreshDatabase(_ body: (String) async throws -> Void) async throws {
        let name = "jh_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
        try await admin { try await $0.query("CREATE DATABASE \(unescaped: String(name))", logger: PostgresConnector.testLogger) }
        do {
            try await body("postgres://postgres@127.0.0.1:\(port)/\(name)?sslmode=disable")
        } catch {
            try? await drop(String(name))
            throw error
        }
        try await drop(String(name))
    }

    private static func drop(_ name: String) async throws {
        try await admin {
            try await $0.query("DROP DATABASE IF EXISTS \(unescaped: name) WITH (FORCE)", logger: PostgresConnector.testLogger)
        }
    }

    /// Runs `body` on a connection of the superuser to the `postgres` database.
    static func admin(_ body: @Sendable @escaping (PostgresConnection) async throws -> Void) async throws {
        let connector = PostgresConnector(address: try PostgresAddress(url: try #require(url)), deadlineMs: 10_000)
        try await connector.withConnection(body)
    }
}

extension PostgresConnector {
    /// A logger that says nothing, for the tests' own queries.
    static let testLogger = Logger(label: "jina-history.postgres.tests", factory: { _ in SwiftLogNoOpLogHandler() })
}
