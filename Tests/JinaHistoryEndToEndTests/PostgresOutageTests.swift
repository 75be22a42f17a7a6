import Foundation
import JinaHistoryTestSupport
import Testing

/// The throwaway PostgreSQL that `scripts/test` starts (scripts/lib/postgres.sh), as these tests use it: new
/// databases through `psql`, and an outage of the whole server.
enum TestServer {
    /// The superuser's url, `nil` without a server (then these tests are skipped).
    static let url = ProcessInfo.processInfo.environment["JINA_HISTORY_TEST_POSTGRES"]
    static var isRunning: Bool { url != nil }

    /// A new, empty database's url.
    static func freshDatabase() async throws -> String {
        let server = try #require(url)
        let components = try #require(URLComponents(string: server))
        let name = "jh_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
        let created = try await runJinaHistory(
            ["psql", "-q", "-h", "127.0.0.1", "-p", "\(components.port ?? 5432)", "-U", "postgres", "-d", "postgres",
             "-c", "CREATE DATABASE \(name)"], binary: "/usr/bin/env")
        #expect(created.status == 0, "\(created.stderr)")
        return "postgres://postgres@127.0.0.1:\(components.port ?? 5432)/\(name)?sslmode=disable"
    }

    /// Stops the server (`pause`) or starts it again on the same port and data (`resume`).
    static func control(_ step: String) async throws {
        let script = TestPaths.repository.appending(path: "scripts/lib/postgres.sh").path
        let result = try await runJinaHistory(["bash", "-c", "source \(script) && \(step)_test_postgres"],
                                              binary: "/usr/bin/env")
        #expect(result.status == 0, "\(step): \(result.stderr)")
    }
}

/// A real Jina Flow recorded into a real PostgreSQL that goes away and comes back.
@Suite("PostgreSQL outages", .serialized, .enabled(if: TestServer.isRunning))
struct PostgresOutageTests {
    @Test("the server stops for 2 s mid-recording: no round lost (stored = produced), one storage fault, no drops")
    func serverRestart() async throws {
        let database = try await TestServer.freshDatabase()
        let port = try freePort()
        let flow = try await JinaFixture.start([
            "--kind", "flow", "--protocol", "grpc", "--port", "\(port)", "--executor-port", "\(try freePort())",
        ])
        let rounds = 80
        let recorder = try ChildProcess(TestPaths.binary, [
            "record", "grpc://127.0.0.1:\(port)", "--name", "flow", "--db", database, "--interval", "100ms",
            "--timeout", "2s", "--rounds", "\(rounds)", "--print-rounds", "always",
        ])
        do {
            try await waitUntil("15 rounds recorded", timeout: .seconds(30)) { recorder.lines.count >= 15 }
            try await TestServer.control("pause")
            let stoppedAt = recorder.lines.count
            try await waitUntil("20 rounds probed while the server is down", timeout: .seconds(30)) {
                recorder.lines.count >= stoppedAt + 20
            }
            try await TestServer.control("resume")
            try await recorder.waitForExit(timeout: .seconds(60))
        } catch {
            await recorder.stop()
            await flow.stop()
            try? await TestServer.control("resume")
            throw error
        }
        await flow.stop()
        #expect(recorder.exitStatus == 0, "\(recorder.standardError)")
        #expect(recorder.standardError.contains("cannot write the history")
                    && recorder.standardError.contains("storage recovered"), "\(recorder.standardError)")

        let stats = try await runJinaHistory(["db", "stats", "--db", database, "--format", "json"])
        let rows = try #require(
            (try JSONSerialization.jsonObject(with: Data(stats.stdout.utf8)) as? [String: Any])?["rows"]
                as? [String: Any], "\(stats.stderr)")
        #expect(rows["round"] as? Int == rounds, "stored = produced: \(rows)")
        let report = try await jsonReport(database, since: "10m")
        let faults = try #require(report["storage_faults"] as? [[String: Any]])
        #expect(faults.count == 1, "\(faults)")
        #expect(faults.first?["rounds_dropped"] as? Int == 0, "\(faults)")
        #expect((faults.first?["failed_writes"] as? Int ?? 0) >= 1, "\(faults)")
        let target = try #require((report["targets"] as? [[String: Any]])?.first)
        #expect(target["down_s"] as? Double == 0, "the database's outage is not the Flow's: \(target)")
    }
}
