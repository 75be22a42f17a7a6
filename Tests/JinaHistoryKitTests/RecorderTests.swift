import Foundation
import GRDB
import JinaHistoryKit
import Synchronization
import Testing

/// A checker that answers per target name as scripted; "hung" targets ignore cancellation for a bounded while
/// (without holding a thread), like a client stuck on a dead peer, so only the recorder's own deadline can save
/// the schedule.
private struct ScriptedChecker: ReadinessChecker {
    var hung: Set<String> = []
    var down: Set<String> = []

    func check(_ target: Target, role: AttemptRecord.Role, timeout: Duration) async -> CheckOutcome {
        if hung.contains(target.name) {
            await withCheckedContinuation { (resume: CheckedContinuation<Void, Never>) in
                DispatchQueue.global().asyncAfter(deadline: .now() + 5) { resume.resume() }
            }
        }
        if down.contains(target.name) { return CheckOutcome(failure: FailureDetail(.refused, message: "scripted")) }
        return .ready
    }
}

@Suite("recorder")
struct RecorderTests {
    private let directory: URL
    private let path: String

    init() throws {
        directory = try TestPaths.temporaryDirectory()
        path = directory.appending(path: "history.sqlite").path
    }

    private func scheduled(_ name: String, intervalMs: Int64 = 50, timeoutMs: Int64 = 1_000) throws -> ScheduledTarget {
        ScheduledTarget(
            target: Target(name: name, kind: .executor, endpoint: try Endpoint(parsing: "127.0.0.1:1")),
            policy: try ProbePolicy(intervalMs: intervalMs, timeoutMs: timeoutMs))
    }

    private func rows(_ sql: String) throws -> [Row] {
        try DatabaseQueue(path: path).read { try Row.fetchAll($0, sql: sql) }
    }

    @Test("rounds run on a fixed grid per target, every round is written, the run ends with a clean-stop mark")
    func fixedGridAndCleanStop() async throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let recorder = Recorder(
            writer: try HistoryWriter(path: path), targets: [try scheduled("a"), try scheduled("b")],
            checker: ScriptedChecker(down: ["b"]), roundLimit: 5)
        let runId = try await recorder.run(version: "test")
        let rounds = try rows(
            "SELECT t.name, r.scheduled_ms, r.verdict FROM round r JOIN target t ON t.id = r.target_id ORDER BY t.name, r.scheduled_ms")
        #expect(rounds.count == 10)
        for name in ["a", "b"] {
            let slots = rounds.filter { ($0["name"] as String) == name }.map { $0["scheduled_ms"] as Int64 }
            #expect(zip(slots, slots.dropFirst()).allSatisfy { $1 - $0 == 50 }, "\(name): \(slots)")
        }
        #expect(rounds.filter { ($0["name"] as String) == "b" }.allSatisfy { ($0["verdict"] as Int) == 0 }, "\(rounds)")
        let run = try #require(try rows("SELECT * FROM recorder_run WHERE id = \(runId)").first)
        let stopped: Int64? = run["stopped_ms"]
        #expect(stopped != nil)
        #expect((run["heartbeat_ms"] as Int64) >= rounds.map { $0["scheduled_ms"] as Int64 }.max()!)
        let transitions = try rows("SELECT from_state, to_state FROM transition ORDER BY target_id")
        #expect(transitions.map { "\($0["from_state"] as String)->\($0["to_state"] as String)" } == ["unknown->up", "unknown->down"])
    }

    @Test("a hung target times out at its deadline, skips the slots it overran, and never delays another target")
    func hungTargetDelaysNoOne() async throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let recorder = Recorder(
            writer: try HistoryWriter(path: path),
            targets: [try scheduled("hung", intervalMs: 50, timeoutMs: 120), try scheduled("healthy")],
            checker: ScriptedChecker(hung: ["hung"]), roundLimit: 8)
        try await recorder.run(version: "test")
        let healthy = try rows(
            "SELECT r.* FROM round r JOIN target t ON t.id = r.target_id WHERE t.name = 'healthy'")
        #expect(healthy.count == 8)
        #expect(healthy.allSatisfy { ($0["verdict"] as Int) == 1 && ($0["start_lag_ms"] as Int64) < 25 }, "\(healthy)")
        let hung = try rows("SELECT r.verdict, r.duration_us FROM round r JOIN target t ON t.id = r.target_id WHERE t.name = 'hung'")
        #expect(hung.count == 8, "every slot is accounted for: run or skipped")
        let ran = hung.filter { ($0["verdict"] as Int) != 2 }
        #expect(!ran.isEmpty && ran.allSatisfy { ($0["verdict"] as Int) == 0 && ($0["duration_us"] as Int64) < 200_000 })
        #expect(hung.contains { ($0["verdict"] as Int) == 2 }, "a 120 ms round on a 50 ms grid skips slots")
        let classes = try rows("SELECT DISTINCT e.class FROM attempt a JOIN error e ON e.id = a.error_id")
        #expect(classes.map { $0["class"] as String } == ["timeout"])
    }

    @Test("cancelling stops within a second, writes what finished and marks a clean stop")
    func cancellationStopsCleanly() async throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let roundsSeen = Mutex(0)
        let recorder = Recorder(
            writer: try HistoryWriter(path: path),
            targets: [try scheduled("quick"), try scheduled("hung", timeoutMs: 10_000)],
            checker: ScriptedChecker(hung: ["hung"]), onEvent: { event in
                if case .round = event { roundsSeen.withLock { $0 += 1 } }
            })
        let recording = Task { try await recorder.run(version: "test") }
        try await waitUntil("a few rounds", timeout: .seconds(10)) { roundsSeen.withLock { $0 } >= 3 }
        let cancelled = ContinuousClock.now
        recording.cancel()
        _ = try await recording.value
        #expect(ContinuousClock.now - cancelled < .seconds(1))
        let written = try rows("SELECT count(*) AS n FROM round")[0]["n"] as Int
        #expect(written == roundsSeen.withLock { $0 }, "every round reported finished was written")
        #expect(try rows("SELECT stopped_ms FROM recorder_run")[0]["stopped_ms"] as Int64? != nil)
    }
}
