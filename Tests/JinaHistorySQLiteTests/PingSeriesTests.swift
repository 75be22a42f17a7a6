import Foundation
import JinaHistoryCore
import JinaHistoryRecorder
import JinaHistorySQLite
import JinaHistoryTestSupport
import Testing

/// `ping --record` from cron: a series of one-round runs, counted as a recorder at the same interval would count
/// them (docs/semantics.md §5), never weighted by how long each ping took.
@Suite("recorded ping series")
struct PingSeriesTests {
    /// Answers ready or refused, at once.
    struct FixedChecker: ReadinessChecker {
        let ready: Bool

        func check(_ target: Target, role: AttemptRecord.Role, timeout: Duration) async -> CheckOutcome {
            ready ? .ready : CheckOutcome(rawCode: 14, failure: FailureDetail(.refused, message: "connection refused"))
        }
    }

    static let everyMs: Int64 = 60_000

    /// Pings ready, refused, ready, one `everyMs` apart starting at `startMs`, each recorded as cron would.
    private func recordSeries(into path: String, startMs: Int64, everyMs: Int64?) async throws -> [RoundRecord] {
        let target = Target(name: "cron", kind: .executor, endpoint: try Endpoint(parsing: "127.0.0.1:1"))
        var rounds: [RoundRecord] = []
        for (index, ready) in [true, false, true].enumerated() {
            let ping = try Ping(target: target, timeoutMs: 500, attempts: 1, minSuccesses: 1, everyMs: everyMs,
                                checker: FixedChecker(ready: ready))
            let clock = RunClock(startMs: startMs + Int64(index) * Self.everyMs)
            let round = try #require(await ping.run(clock: clock))
            try ping.record(round, clock: clock, into: try HistoryWriter(path: path), version: "test")
            rounds.append(round)
        }
        return rounds
    }

    @Test("with --every, each verdict holds until the next ping, the last one for 2 × every + its duration")
    func everyHoldsUntilTheNextPing() async throws {
        let directory = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appending(path: "cron.sqlite").path
        let startMs = (wallNowMs() / 1_000 - 3_600) * 1_000
        let rounds = try await recordSeries(into: path, startMs: startMs, everyMs: Self.everyMs)
        let nowMs = wallNowMs()
        let report = try HistoryReader(path: path).report(
            window: try ReportWindow(sinceMs: startMs, untilMs: startMs + 10 * Self.everyMs, nowMs: nowMs))
        let target = try #require(report.targets.first)
        let lastHoldMs = 2 * Self.everyMs + rounds[2].durationUs / 1_000
        #expect(target.upMs == Self.everyMs + lastHoldMs, "up from the first ping to the second, and the last one's cap")
        #expect(target.downMs == Self.everyMs, "down from the second ping to the third")
        #expect(target.unknownMs == 10 * Self.everyMs - target.upMs - target.downMs)
        #expect(target.rounds.total == 3 && target.rounds.up == 2 && target.rounds.down == 1)
        #expect(target.outages.map(\.startedMs) == [startMs + Self.everyMs])
        #expect(target.outages.first?.endedMs == startMs + 2 * Self.everyMs)
        #expect(target.gaps.map(\.cause) == [.recorderStopped], "the series stopped after its last ping's cap")
        #expect(target.gaps.first?.startedMs == startMs + 2 * Self.everyMs + lastHoldMs)
    }

    @Test("without --every a recorded ping counts as a round but vouches for no time")
    func withoutEveryNoTime() async throws {
        let directory = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appending(path: "pings.sqlite").path
        let startMs = (wallNowMs() / 1_000 - 3_600) * 1_000
        _ = try await recordSeries(into: path, startMs: startMs, everyMs: nil)
        let report = try HistoryReader(path: path).report(
            window: try ReportWindow(sinceMs: startMs, untilMs: startMs + 10 * Self.everyMs, nowMs: wallNowMs()))
        let target = try #require(report.targets.first)
        #expect(target.upMs == 0 && target.downMs == 0 && target.availability == nil, "\(target)")
        #expect(target.rounds.total == 3 && target.attempts.total == 3)
        #expect(target.outages.count == 1, "the refused ping still opens an outage, which the next one ends")
    }

    @Test("ping --record says what the round vouches for, with --every and without")
    func pingSaysWhatItVouchesFor() async throws {
        let directory = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = directory.appending(path: "history.sqlite").path
        let url = "127.0.0.1:\(try freePort())"
        let series = try await runJinaHistory(
            ["ping", "executor", url, "--record", "--every", "5m", "--db", database])
        #expect(series.status == 1)
        #expect(series.stdout.contains("its verdict holds until the next ping, at most until "), "\(series.stdout)")
        let single = try await runJinaHistory(["ping", "executor", url, "--record", "--db", database])
        #expect(single.stdout.contains("it vouches for no time (give --every"), "\(single.stdout)")
    }
}
