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

    @Test("an unknown database, a closed port, a silent port and TLS a server lacks: one clear line each, in time")
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

        // The test server offers TLS; one that does not answers the TLS request with `N`, as this small one does.
        let plain = try ChildProcess("/usr/bin/python3", ["-c", """
            import socket
            server = socket.socket()
            server.bind(("127.0.0.1", 0))
            server.listen()
            server.settimeout(60)
            print(server.getsockname()[1], flush=True)
            while True:
                client, _ = server.accept()
                client.recv(8)
                client.sendall(b"N")
                client.close()
            """])
        defer { plain.send(SIGKILL) }
        try await waitUntil("the plain server to listen", timeout: .seconds(10)) { !plain.lines.isEmpty }
        let (tls, tlsLine) = try await problem("postgres://postgres@127.0.0.1:\(plain.lines[0])/postgres?sslmode=require")
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

    @Test("TLS to a server with a certificate: require encrypts; verify-full checks it against sslrootcert; a command too")
    func tls() async throws {
        let port = TestPostgres.port
        let authority = try #require(ProcessInfo.processInfo.environment["JINA_HISTORY_TEST_POSTGRES_CA"])
        let base = "postgres://postgres@127.0.0.1:\(port)/postgres"
        func encrypted(_ url: String) async throws -> Bool {
            try await PostgresConnector(address: try PostgresAddress(url: url)).withConnection { connection async throws in
                let rows = try await connection.query("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
                                                      logger: PostgresConnector.testLogger)
                var flags: [Bool] = []
                for try await flag in rows.decode(Bool.self) { flags.append(flag) }
                return flags == [true]
            }
        }
        #expect(try await encrypted(base + "?sslmode=require"))
        #expect(try await encrypted(base + "?sslmode=prefer"))
        #expect(try await encrypted(base + "?sslmode=verify-full&sslrootcert=\(authority)"))
        #expect(try await !encrypted(base + "?sslmode=disable"))

        // Without the CA the certificate chains to nothing the system trusts.
        let (untrusted, untrustedLine) = try await problem(base + "?sslmode=verify-full")
        #expect(untrusted.reason == .tls, "\(untrustedLine)")

        try await TestPostgres.withFreshDatabase { url in
            let verified = url.replacingOccurrences(of: "sslmode=disable",
                                                    with: "sslmode=verify-full&sslrootcert=\(authority)")
            let seeded = try await runJinaHistory(["db", "seed", "--db", verified, "--targets", "1", "--span", "1h"])
            #expect(seeded.status == 0, "\(seeded.stderr)")
            let report = try await runJinaHistory(["report", "--db", verified, "--since", "2h"])
            #expect(report.status == 0 && report.stdout.contains("availability"), "\(report.stderr)")
        }
    }
}
