import Foundation
import JinaHistoryCore
import JinaHistoryFakes
import JinaHistoryPostgres
import JinaHistoryTestSupport
import PostgresNIO
import Testing

/// Logging in to a real PostgreSQL, and every way it can fail, each a typed problem in one line without the password.
@Suite("PostgreSQL connections", .enabled(if: TestPostgres.isRunning))
struct PostgresConnectionTests {
    private func problem(_ url: String, deadlineMs: Int64 = 5_000,
                         environment: [String: String] = [:]) async throws -> (StorageProblem, String) {
        let connector = PostgresConnector(
            address: try PostgresAddress(url: url, environment: environment, homeDirectory: "/nonexistent"),
            deadlineMs: deadlineMs)
        let error = try await #require(throws: JinaHistoryError.self) {
            try await connector.withConnection { try await $0.query("SELECT 1", logger: PostgresConnector.testLogger) }
        }
        guard case .storage(let problem) = error else {
            Issue.record("not a storage problem: \(error)")
            throw error
        }
        return (problem, error.description)
    }

    @Test("a password from the url, PGPASSWORD or nowhere: the server decides, and a refusal never shows it")
    func logins() async throws {
        let port = TestPostgres.port
        let base = "postgres://jh_password@127.0.0.1:\(port)/postgres?sslmode=disable"
        let right = TestPostgres.password
        for address in [
            try PostgresAddress(url: base.replacingOccurrences(of: "jh_password@", with: "jh_password:\(right)@"),
                                environment: [:], homeDirectory: "/nonexistent"),
            try PostgresAddress(url: base, environment: ["PGPASSWORD": right], homeDirectory: "/nonexistent"),
        ] {
            let user = try await PostgresConnector(address: address).withConnection { connection async throws in
                let rows = try await connection.query("SELECT current_user", logger: PostgresConnector.testLogger)
                var names: [String] = []
                for try await name in rows.decode(String.self) { names.append(name) }
                return names
            }
            #expect(user == ["jh_password"])
        }

        let wrong = "not-the-password-\(UUID().uuidString.prefix(6))"
        let (refused, line) = try await problem(base.replacingOccurrences(of: "jh_password@", with: "jh_password:\(wrong)@"))
        #expect(refused.reason == .authentication && refused.detail.contains("28P01"), "\(refused)")
        #expect(line.contains("refused the login") && !line.contains(wrong) && !line.contains(right), "\(line)")
        #expect(line.contains("postgres://jh_password@127.0.0.1:\(port)/postgres?sslmode=disable"))

        let (none, noneLine) = try await problem(base)
        #expect(none.reason == .authentication, "\(none)")
        #expect(noneLine.contains("asks for a password"), "\(noneLine)")
    }

    @Test("an unknown database, a closed port, a silent port and TLS the server lacks: one clear line each, in time")
    func failures() async throws {
        let port = TestPostgres.port
        let (missing, missingLine) = try await problem("postgres://postgres@127.0.0.1:\(port)/no_such_db?sslmode=disable")
        #expect(missing.reason == .noSuchDatabase && missingLine.contains("no_such_db"), "\(missingLine)")

        let closed = try freePort()
        let (refused, refusedLine) = try await problem("postgres://postgres@127.0.0.1:\(closed)/x?sslmode=disable")
        #expect(refused.reason == .unreachable && refused.detail == "connection refused", "\(refusedLine)")
        #expect(refusedLine.hasPrefix("cannot reach postgres://postgres@127.0.0.1:\(closed)/x"))

        let silent = try SilentTCPServer()
        let started = ContinuousClock.now
        let (late, lateLine) = try await problem("postgres://postgres@127.0.0.1:\(silent.port)/x?sslmode=disable",
                                                 deadlineMs: 300)
        #expect(late.reason == .timedOut(afterMs: 300), "\(lateLine)")
        #expect(ContinuousClock.now - started < .seconds(3), "the deadline holds")

        let (tls, tlsLine) = try await problem("postgres://postgres@127.0.0.1:\(port)/postgres?sslmode=require")
        #expect(tls.reason == .tls && tlsLine.contains("does not offer TLS"), "\(tlsLine)")

        // Work on the connection has the deadline too: a query that outlasts it ends with the connection.
        let slow = PostgresConnector(address: try PostgresAddress(url: try #require(TestPostgres.url)), deadlineMs: 500)
        let queried = ContinuousClock.now
        let error = try await #require(throws: JinaHistoryError.self) {
            try await slow.withConnection { _ = try await $0.query("SELECT pg_sleep(10)", logger: PostgresConnector.testLogger) }
        }
        #expect(error == .storage(StorageProblem(location: slow.address.description, reason: .timedOut(afterMs: 500))))
        #expect(ContinuousClock.now - queried < .seconds(5), "the query was ended, not waited for")
    }
}
