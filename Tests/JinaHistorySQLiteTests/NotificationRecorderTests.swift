import Foundation
import JinaHistoryCore
import JinaHistoryRecorder
import JinaHistorySQLite
import JinaHistoryTestSupport
import GRDB
import Synchronization
import Testing

/// Down for the checks numbered in `down` (from 1), ready for the others.
private final class RecoveringChecker: ReadinessChecker {
    private let checks = Mutex(0)
    private let down: ClosedRange<Int>

    init(down: ClosedRange<Int>) { self.down = down }

    func check(_ target: Target, role: AttemptRecord.Role, timeout: Duration) async -> CheckOutcome {
        let number = checks.withLock { count in
            count += 1
            return count
        }
        return down.contains(number) ? CheckOutcome(failure: FailureDetail(.refused, message: "scripted")) : .ready
    }
}

/// A receiver played in process: it fails its first `failures` attempts, or hangs every attempt to its deadline.
private final class ScriptedChannel: NotificationChannel {
    let destination = "http://127.0.0.1:9/…"
    private let failures: Int
    private let hangs: Bool
    let attempts = Mutex<[TransitionNotice.Event]>([])

    init(failures: Int = 0, hangs: Bool = false) {
        self.failures = failures
        self.hangs = hangs
    }

    func deliver(_ notice: TransitionNotice, timeoutMs: Int64) async -> NotificationAnswer {
        let number = attempts.withLock { attempts in
            attempts.append(notice.event)
            return attempts.count
        }
        if hangs {
            try? await Task.sleep(for: .milliseconds(timeoutMs))
            return NotificationAnswer(accepted: false, status: nil, error: "no answer")
        }
        return number <= failures
            ? NotificationAnswer(accepted: false, status: 503, error: "the receiver did not accept it")
            : NotificationAnswer(accepted: true, status: 200, error: "")
    }
}

@Suite("recorder notifications")
struct NotificationRecorderTests {
    private let directory: URL
    private let path: String
    private let destination = try! NotificationDestination(webhook: "http://127.0.0.1:9/hook", format: .json)

    init() throws {
        directory = try TestPaths.temporaryDirectory()
        path = directory.appending(path: "history.sqlite").path
    }

    private func record(_ channel: ScriptedChannel, down: ClosedRange<Int>, rounds: Int, failureThreshold: Int = 1,
                        settings: NotificationDispatcher.Settings) async throws -> (rows: [Row], stopTime: Duration) {
        let target = ScheduledTarget(
            target: Target(name: "search", kind: .executor, endpoint: try Endpoint(parsing: "127.0.0.1:1")),
            policy: try ProbePolicy(intervalMs: 20, timeoutMs: 1_000, failureThreshold: failureThreshold),
            alerts: AlertPolicy(destinations: [destination]))
        let lastRound = Mutex<ContinuousClock.Instant?>(nil)
        let recorder = Recorder(
            writer: try HistoryWriter(path: path), targets: [target], checker: RecoveringChecker(down: down),
            roundLimit: rounds, notifications: Recorder.NotificationSettings(channels: [destination: channel], dispatch: settings),
            onEvent: { event in if case .round = event { lastRound.withLock { $0 = .now } } })
        try await recorder.run(version: "test")
        let stopTime = ContinuousClock.now - (lastRound.withLock { $0 } ?? .now)
        let rows = try DatabaseQueue(path: path).read { try Row.fetchAll($0, sql: "SELECT * FROM notification ORDER BY id") }
        return (rows, stopTime)
    }

    @Test("a failed delivery is retried with backoff until accepted, and stored with the history")
    func retriedUntilSent() async throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let channel = ScriptedChannel(failures: 2)
        let (rows, _) = try await record(channel, down: 1...3, rounds: 60,
                                         settings: .init(timeoutMs: 500, attempts: 3, backoffMs: 50))
        #expect(rows.map { $0["event"] as String } == ["down", "up"])
        #expect(rows.map { $0["outcome"] as String } == ["sent", "sent"])
        #expect(rows.map { $0["attempts"] as Int } == [3, 1])
        let transitions = try await DatabaseQueue(path: path).read { try Int64.fetchAll($0, sql: "SELECT at_ms FROM transition ORDER BY at_ms") }
        // unknown -> down at the first round, down -> up at the fourth: each notice names its transition.
        #expect(rows.map { $0["transition_at_ms"] as Int64 } == transitions)
        #expect(rows.allSatisfy { ($0["finished_ms"] as Int64) >= ($0["queued_ms"] as Int64) })
    }

    @Test("one failed round below the failure threshold is never told")
    func belowTheThreshold() async throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let channel = ScriptedChannel()
        let (rows, _) = try await record(channel, down: 2...3, rounds: 10, failureThreshold: 3,
                                         settings: .init(timeoutMs: 500))
        #expect(rows.isEmpty && channel.attempts.withLock { $0 }.isEmpty)
    }

    @Test("at the stop a pending notice gets one last attempt within the grace; one that never got its turn is stored as not sent")
    func pendingAtTheStop() async throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let channel = ScriptedChannel(hangs: true)
        // The down notice hangs for its 10 s deadline; the up notice waits behind it when the recorder stops.
        let (rows, stopTime) = try await record(channel, down: 1...2, rounds: 6,
                                                settings: .init(timeoutMs: 10_000, attempts: 3, stopGraceMs: 300))
        #expect(rows.map { $0["event"] as String } == ["down", "up"])
        #expect(rows.map { $0["outcome"] as String } == ["failed", "not_sent"])
        #expect(rows.map { $0["attempts"] as Int } == [1, 0])
        #expect(rows.first?["error"] as String? == "cut short: the recorder stopped")
        #expect(stopTime < .seconds(2), "the stop took \(stopTime)")
    }
}
