import Foundation
import JinaHistoryCore
import JinaHistoryRecorder
import JinaHistorySQLite
import JinaHistoryRender
import JinaHistoryTestSupport
import GRDB
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
        // The grids are spread over the interval, so two targets never call at the same moment: the first once the
        // run is registered, the second half an interval later.
        let firstSlots = ["a", "b"].compactMap { name in
            rounds.first { ($0["name"] as String) == name }.map { ($0["scheduled_ms"] as Int64) - (run["started_ms"] as Int64) }
        }
        #expect(firstSlots.count == 2 && firstSlots[0] >= 0 && firstSlots[1] - firstSlots[0] == 25, "\(firstSlots)")
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

    @Test("a locked database: probes keep their schedule, rounds wait in a bounded buffer, the fault is recorded")
    func storageFaultWhileRecording() async throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let announced = Mutex<[Int64]>([])
        let events = Mutex<(failed: StorageFault?, recovered: StorageFault?)>((nil, nil))
        let bufferLimit = 20
        let recorder = Recorder(
            writer: try HistoryWriter(path: path), targets: [try scheduled("a", intervalMs: 20)],
            checker: ScriptedChecker(), bufferLimit: bufferLimit, onEvent: { event in
                switch event {
                case .round(_, let round, _): announced.withLock { $0.append(round.scheduledMs) }
                case .storageFailed(let fault, _): events.withLock { $0.failed = $0.failed ?? fault }
                case .storageRecovered(let fault): events.withLock { $0.recovered = fault }
                case .notified: break
                }
            })
        let recording = Task { try await recorder.run(version: "test") }
        try await waitUntil("rounds written", timeout: .seconds(10)) {
            try rows("SELECT count(*) AS n FROM round")[0]["n"] as Int >= 5
        }
        // Another process's open write transaction (a sqlite3 shell, a backup tool) locks the database; the
        // writer's 5 s busy timeout then fails its write. The lock goes when the release file appears (or 60 s).
        let release = directory.appending(path: "release").path
        let locker = try ChildProcess("/usr/bin/python3", ["-c", """
            import os, sqlite3, sys, time
            connection = sqlite3.connect(sys.argv[1], isolation_level=None)
            connection.execute("BEGIN IMMEDIATE")
            print("locked", flush=True)
            deadline = time.monotonic() + 60
            while not os.path.exists(sys.argv[2]) and time.monotonic() < deadline:
                time.sleep(0.02)
            """, path, release])
        try await waitUntil("the lock", timeout: .seconds(10)) { locker.lines.contains("locked") }
        let lockedAt = announced.withLock { $0.count }
        try await waitUntil("a failed write", timeout: .seconds(15)) { events.withLock { $0.failed } != nil }
        let producedWhileLocked = announced.withLock { $0.count } - lockedAt
        _ = FileManager.default.createFile(atPath: release, contents: nil)
        try await locker.waitForExit(timeout: .seconds(10))
        try await waitUntil("recovery", timeout: .seconds(15)) { events.withLock { $0.recovered } != nil }
        recording.cancel()
        _ = try await recording.value

        let produced = announced.withLock { $0 }
        let stored = try rows("SELECT scheduled_ms, verdict FROM round ORDER BY scheduled_ms")
        let faults = try rows("SELECT * FROM storage_fault")
        #expect(faults.count == 1)
        let fault = try #require(faults.first)
        let dropped: Int = fault["rounds_dropped"]
        #expect(producedWhileLocked > 5 * bufferLimit, "5 s of 20 ms rounds went on while the writer waited")
        #expect(dropped > 0 && stored.count + dropped == produced.count,
                "every round is stored or counted as dropped: \(stored.count) + \(dropped) vs \(produced.count)")
        #expect(stored.allSatisfy { ($0["verdict"] as Int) == 1 }, "no slot was skipped while the writer blocked")
        #expect((fault["failed_writes"] as Int) >= 1 && (fault["from_ms"] as Int64) <= (fault["to_ms"] as Int64))
        #expect((fault["error"] as String).contains("locked"), "\(fault)")

        let report = try HistoryReader(path: path).report(window: try ReportWindow(
            sinceMs: produced.first!, untilMs: produced.last! + 20, nowMs: produced.last! + 20))
        #expect(report.storageFaults.map(\.roundsDropped) == [dropped])
        let target = try #require(report.targets.first)
        #expect(target.downMs == 0 && target.unknownMs > 0, "dropped rounds' time is unknown, never down")
        #expect(JSONReportRenderer.render(report).contains("\"rounds_dropped\" : \(dropped)"))
    }
}

