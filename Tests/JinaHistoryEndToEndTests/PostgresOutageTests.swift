import Foundation
import JinaHistoryTestSupport
import Testing

/// A real Jina Flow recorded into a real PostgreSQL that goes away and comes back.
@Suite("PostgreSQL outages", .serialized, .enabled(if: TestPostgresServer.isRunning))
struct PostgresOutageTests {
    @Test("the server stops for 2 s mid-recording: no round lost (stored = produced), one storage fault, no drops")
    func serverRestart() async throws {
        let database = try await TestPostgresServer.freshDatabase()
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
            try await TestPostgresServer.control("pause")
            let stoppedAt = recorder.lines.count
            try await waitUntil("20 rounds probed while the server is down", timeout: .seconds(30)) {
                recorder.lines.count >= stoppedAt + 20
            }
            try await TestPostgresServer.control("resume")
            try await recorder.waitForExit(timeout: .seconds(60))
        } catch {
            await recorder.stop()
            await flow.stop()
            try? await TestPostgresServer.control("resume")
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
