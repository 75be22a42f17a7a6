import Foundation
import JinaHistoryCore
import JinaHistoryProbes
import JinaHistorySQLite
import JinaHistoryRecorder
import JinaHistoryTestSupport
import JinaHistoryFakes
import GRDB
import Testing

/// `kill -9` of the recorder at random moments while it records a real Jina Flow: the database stays intact,
/// each kill loses at most the rounds in flight, and every killed run reads as crashed (unknown time, never
/// downtime) in the report.
@Suite("crash safety", .serialized)
struct CrashSafetyTests {
    static let kills = 20

    @Test("20 SIGKILLs at random moments: integrity ok, at most the rounds in flight lost, runs read as crashed")
    func randomKills() async throws {
        let directory = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = directory.appending(path: "history.sqlite").path
        let seed = ProcessInfo.processInfo.environment["JINA_HISTORY_CRASH_SEED"].flatMap(UInt64.init) ?? 20_261_125
        var random = SplitMix64(seed: seed)
        let port = try freePort()
        let flow = try await JinaFixture.start([
            "--kind", "flow", "--protocol", "grpc", "--port", "\(port)", "--executor-port", "\(try freePort())",
        ])
        let startedMs = wallNowMs()
        var killedAfterRounds = 0
        do {
            for kill in 0..<Self.kills {
                let recorder = try ChildProcess(TestPaths.binary, [
                    "record", "grpc://127.0.0.1:\(port)", "--name", "flow", "--db", database, "--interval", "100ms",
                    "--timeout", "2s", "--print-rounds", "always",
                ])
                // Every fourth kill lands anywhere in start-up (opening, migrating, starting the run); the others
                // while rounds are being probed and written.
                if kill % 4 == 3 {
                    try await Task.sleep(for: .milliseconds(Int(random.next() % 150)))
                } else {
                    try await waitUntil("recorder \(kill) to finish 2 rounds", timeout: .seconds(20)) {
                        recorder.lines.count >= 2
                    }
                    try await Task.sleep(for: .milliseconds(Int(random.next() % 400)))
                    killedAfterRounds += 1
                }
                recorder.send(SIGKILL)
                try await recorder.waitForExit(timeout: .seconds(10))
                let announced = Set(recorder.lines.compactMap { $0.split(separator: " ").first.map(String.init) })

                let recorderPid = recorder.pid
                let check = try await DatabaseQueue(path: database, configuration: Self.readOnly).read { db in
                    let integrity = try String.fetchOne(db, sql: "PRAGMA integrity_check")
                    let runId = try Int64.fetchOne(
                        db, sql: "SELECT max(id) FROM recorder_run WHERE pid = ?", arguments: [recorderPid])
                    let stored = try Int64.fetchAll(
                        db, sql: "SELECT scheduled_ms FROM round WHERE run_id = ?", arguments: [runId ?? -1])
                    return (integrity, runId != nil, stored)
                }
                let context = "kill \(kill) (seed \(seed))"
                #expect(check.0 == "ok", "\(context): integrity_check says \(check.0 ?? "nothing")")
                let storedTimes = Set(check.2.map { TimeText.rfc3339($0) })
                #expect(storedTimes.isSubset(of: announced), "\(context): a stored round was never announced")
                // A round is announced just before it is handed to the writer, so a kill can catch at most the
                // one target's last round between the two.
                #expect(announced.count - storedTimes.count <= 1,
                        "\(context): \(announced.count - storedTimes.count) announced rounds lost")
                if kill % 4 != 3 { #expect(check.1, "\(context): the killed recorder's run was not written") }
            }
            // The database still takes a clean run after all that.
            let last = try await runJinaHistory([
                "record", "grpc://127.0.0.1:\(port)", "--name", "flow", "--db", database, "--interval", "100ms",
                "--rounds", "3",
            ])
            #expect(last.status == 0, "\(last.stderr)")
        } catch {
            await flow.stop()
            throw error
        }
        await flow.stop()

        let runs = try DatabaseQueue(path: database, configuration: Self.readOnly).read { db in
            try Row.fetchAll(db, sql: "SELECT stopped_ms FROM recorder_run ORDER BY id")
        }
        let crashedRuns = runs.dropLast().filter { ($0["stopped_ms"] as Int64?) == nil }.count
        #expect(crashedRuns >= killedAfterRounds && runs.dropLast().count == crashedRuns, "\(runs)")
        let since = "\((wallNowMs() - startedMs) / 1_000 + 5)s"
        let report = try await jsonReport(database, since: since)
        let target = try #require((report["targets"] as? [[String: Any]])?.first)
        let gaps = (target["gaps"] as? [[String: Any]]) ?? []
        #expect(gaps.count { ($0["cause"] as? String) == "recorder_crashed" } == crashedRuns,
                "each killed run is followed by a crashed gap: \(gaps)")
        #expect(target["down_s"] as? Double == 0, "a crash is never downtime")
        #expect(target["availability"] as? Double == 1, "\(target)")
        #expect((target["unknown_s"] as? Double ?? 0) > 0, "the time nobody recorded is unknown")
    }

    private static var readOnly: Configuration {
        var configuration = Configuration()
        configuration.readonly = true
        return configuration
    }
}
