@testable import JinaHistoryConfig
@testable import JinaHistoryCore
@testable import JinaHistoryRender
import JinaHistoryTestSupport
import Testing

/// The time accounting and outage rules of docs/semantics.md §4–§5 on hand-made histories.
@Suite("report math")
struct ReportBuilderTests {
    @Test("each verdict holds until the next round; an outage starts at its first failed round")
    func simpleOutage() throws {
        var history = HandMadeHistory()
        history.run(1, from: 0, heartbeat: 10_000, stopped: 10_000)
        history.rounds(1, .up, at: [0, 1_000, 2_000] + slots(5_000, 10_000))
        history.rounds(1, .down, at: [3_000, 4_000])
        let report = try history.report(since: 0, until: 10_000)
        #expect(report.upMs == 8_000)
        #expect(report.downMs == 2_000)
        #expect(report.unknownMs == 0)
        #expect(report.availability == 0.8)
        #expect(report.coverage == 1)
        #expect(report.rounds == RoundCounts(total: 10, up: 8, down: 2, skipped: 0, flaky: 0))
        try #require(report.outages.count == 1)
        let outage = report.outages[0]
        #expect(outage.startedMs == 3_000)
        #expect(outage.confirmedMs == 3_010)  // the verdict of the first failed round was known 10 ms in
        #expect(outage.endedMs == 5_000)
        #expect(outage.failedRounds == 2)
        #expect(outage.firstFailure?.errorClass == .notReady)
        #expect(report.gaps.isEmpty)
    }

    @Test("maintenance added afterwards moves its time out of up, down and unknown; overlaps count once")
    func maintenanceWindows() throws {
        var history = HandMadeHistory()
        history.run(1, from: 0, heartbeat: 8_000, stopped: 8_000)
        history.rounds(1, .up, at: [0, 1_000, 2_000] + slots(5_000, 8_000))
        history.rounds(1, .down, at: [3_000, 4_000])
        history.maintenance = [
            MaintenanceWindow(targetId: 1, fromMs: 2_500, toMs: 4_000, note: "deploy"),
            MaintenanceWindow(targetId: nil, fromMs: 3_500, toMs: 4_500, note: "network work, all targets"),
            MaintenanceWindow(targetId: 2, fromMs: 0, toMs: 10_000, note: "another target's"),
            MaintenanceWindow(targetId: nil, fromMs: 9_000, toMs: 12_000, note: "cut by the window"),
        ]
        let report = try history.report(since: 0, until: 10_000)
        // Maintenance: 2.5–4.5 s (two windows, merged) and 9–10 s (recorder stopped then, unknown otherwise).
        #expect(report.maintenanceMs == 3_000)
        #expect(report.upMs == 5_500)  // 0–2.5 s and 5–8 s
        #expect(report.downMs == 500)  // 4.5–5 s
        #expect(report.unknownMs == 1_000)  // 8–9 s
        #expect(report.upMs + report.downMs + report.maintenanceMs + report.unknownMs == 10_000)
        #expect(report.coverage == 6_000.0 / 7_000)
        #expect(report.maintenance.map(\.note) == ["deploy", "network work, all targets", "cut by the window"])
        // Listed with its real end, as an outage is; only its time inside the window counted.
        #expect(report.maintenance.last?.toMs == 12_000)
        #expect(report.outages.count == 1, "the outage itself is still reported")
    }

    @Test("--merge-gap joins outages split by short recoveries into one incident with flaps; --sort duration")
    func mergedIncidents() throws {
        var history = HandMadeHistory()
        history.run(1, from: 0, heartbeat: 30_000, stopped: 30_000)
        history.rounds(1, .up, at: [0, 1_000, 2_000, 5_000, 7_000] + slots(8_000, 20_000) + slots(23_000, 30_000))
        history.rounds(1, .down, at: [3_000, 4_000, 6_000] + slots(20_000, 23_000))
        let report = try history.historyReport(since: 0, until: 30_000)
        #expect(report.targets[0].outages.map(\.startedMs) == [3_000, 6_000, 20_000])

        let merged = report.mergingOutages(within: 1_000)
        let incidents = merged.targets[0].outages
        #expect(incidents.map(\.startedMs) == [3_000, 20_000])
        #expect(incidents[0].endedMs == 7_000 && incidents[0].flaps == 1 && incidents[0].failedRounds == 3)
        #expect(incidents[1].flaps == 0)
        #expect(merged.targets[0].downMs == report.targets[0].downMs, "merging changes the list, not the time")
        #expect(merged.method.outageMergeGapMs == 1_000)
        #expect(report.mergingOutages(within: 999).targets[0].outages.count == 3, "a longer recovery stays apart")

        let longestFirst = merged.sortingOutages(by: .duration).targets[0].outages
        #expect(longestFirst.map(\.durationMs) == [4_000, 3_000])
    }

    @Test("a crashed run's tail after its last heartbeat is unknown, and the gap says crash")
    func crashedRun() throws {
        var history = HandMadeHistory()
        history.run(1, from: 0, heartbeat: 5_500, stopped: nil)
        history.rounds(1, .up, at: slots(0, 6_000))
        let report = try history.report(since: 0, until: 10_000, now: 100_000)
        #expect(report.upMs == 5_500)
        #expect(report.downMs == 0)
        #expect(report.unknownMs == 4_500)
        #expect(report.gaps == [RecorderGap(startedMs: 5_500, endedMs: 10_000, cause: .recorderCrashed)])
        #expect(report.availability == 1)
        #expect(report.coverage == 0.55)
    }

    @Test("a run whose process is known to be gone crashed, however recent its heartbeat")
    func deadProcessCrashed() throws {
        var history = HandMadeHistory()
        history.runs.append(RecorderRunSpan(id: 1, startedMs: 0, heartbeatMs: 9_800, stoppedMs: nil, processAlive: false))
        history.rounds(1, .up, at: slots(0, 10_000))
        let report = try history.report(since: 0, until: 10_000, now: 10_000)
        #expect(report.upMs == 9_800)
        #expect(report.gaps == [RecorderGap(startedMs: 9_800, endedMs: 10_000, cause: .recorderCrashed)])
    }

    @Test("a running recorder (recent heartbeat, no stop mark) is no gap")
    func runningRecorder() throws {
        var history = HandMadeHistory()
        history.run(1, from: 0, heartbeat: 9_800, stopped: nil)
        history.rounds(1, .up, at: slots(0, 10_000))
        let report = try history.report(since: 0, until: 10_000, now: 10_000)
        #expect(report.upMs == 10_000)
        #expect(report.gaps.isEmpty)
    }

    @Test("a verdict goes stale after 2 x interval + the round's duration")
    func stalenessCap() throws {
        var history = HandMadeHistory()
        history.run(1, from: 0, heartbeat: 20_000, stopped: 20_000)
        history.rounds(1, .up, at: [0], durationMs: 0)
        history.rounds(1, .skipped, at: slots(1_000, 10_000))
        history.rounds(1, .up, at: [10_000], durationMs: 300)
        let report = try history.report(since: 0, until: 20_000)
        #expect(report.upMs == 2_000 + 2_300)
        #expect(report.unknownMs == 20_000 - 4_300)
        #expect(report.rounds.skipped == 9)
        #expect(report.rounds.total == 11)
        #expect(report.gaps.isEmpty, "stale time inside a live run is unknown, not a recorder gap")
    }

    @Test("an outage spanning a recorder restart stays one outage, with the gap inside it unknown")
    func outageAcrossRestart() throws {
        var history = HandMadeHistory()
        history.run(1, from: 0, heartbeat: 5_000, stopped: 5_000)
        history.rounds(1, .up, at: [0, 1_000, 2_000])
        history.rounds(1, .down, at: [3_000, 4_000])
        history.run(2, from: 8_000, heartbeat: 12_000, stopped: 12_000)
        history.rounds(2, .down, at: [8_000, 9_000])
        history.rounds(2, .up, at: [10_000, 11_000])
        let report = try history.report(since: 0, until: 12_000)
        try #require(report.outages.count == 1)
        #expect(report.outages[0].startedMs == 3_000)
        #expect(report.outages[0].endedMs == 10_000)
        #expect(report.outages[0].failedRounds == 4)
        #expect(report.outages[0].durationMs == 7_000)
        #expect(report.downMs == 4_000)
        #expect(report.upMs == 5_000)
        #expect(report.unknownMs == 3_000)
        #expect(report.gaps == [RecorderGap(startedMs: 5_000, endedMs: 8_000, cause: .recorderStopped)])
    }

    @Test("the strip shows each bucket's worst state, so a short outage or gap never disappears")
    func strip() throws {
        var history = HandMadeHistory()
        history.run(1, from: 0, heartbeat: 40_000, stopped: 40_000)
        history.rounds(1, .up, at: slots(0, 10_000) + slots(11_000, 40_000))
        history.rounds(1, .down, at: [10_000])
        history.run(2, from: 50_000, heartbeat: 60_000, stopped: 60_000)
        history.rounds(2, .up, at: slots(50_000, 60_000))
        history.maintenance = [MaintenanceWindow(targetId: nil, fromMs: 55_000, toMs: 60_000, note: "")]
        let report = try history.report(since: 0, until: 60_000)
        let strip = String(report.strip.map(\.symbol))
        #expect(strip == String(repeating: "=", count: 10) + "#" + String(repeating: "=", count: 29)
            + String(repeating: ".", count: 10) + String(repeating: "=", count: 5) + String(repeating: "m", count: 5))
    }

    @Test("a wall clock set back between two runs: overlapping runs never count a millisecond twice")
    func wallClockJumpBack() throws {
        // A recorder's own slots come from the monotonic clock, so a clock change shows only across runs: run 2
        // started after run 1 stopped, but the host clock had been set back 3 s, so its slots overlap run 1's.
        var history = HandMadeHistory()
        history.run(1, from: 0, heartbeat: 10_000, stopped: 10_000)
        history.rounds(1, .up, at: slots(0, 10_000))
        history.run(2, from: 7_000, heartbeat: 15_000, stopped: 15_000)
        history.rounds(2, .down, at: [7_000, 8_000])
        history.rounds(2, .up, at: slots(9_000, 15_000))
        let report = try history.report(since: 0, until: 15_000)
        #expect(report.upMs + report.downMs + report.unknownMs + report.maintenanceMs == 15_000)
        #expect(report.downMs == 2_000, "each slot's verdict holds until the next slot, whichever run made it")
        #expect(report.upMs == 13_000)
        #expect(report.rounds.total == 18, "every stored round is still counted")
        #expect(report.gaps.isEmpty)
    }

    @Test("a window cutting an outage counts only its own time but names the whole outage")
    func windowCutsOutage() throws {
        var history = HandMadeHistory()
        history.run(1, from: 0, heartbeat: 12_000, stopped: 12_000)
        history.rounds(1, .up, at: [0, 1_000, 2_000] + slots(8_000, 12_000))
        history.rounds(1, .down, at: slots(3_000, 8_000))
        let report = try history.report(since: 5_500, until: 9_500)
        #expect(report.downMs == 2_500)
        #expect(report.upMs == 1_500)
        #expect(report.rounds.down == 2)  // 6000 and 7000 are the down slots inside the window
        try #require(report.outages.count == 1)
        #expect(report.outages[0].startedMs == 3_000)
        #expect(report.outages[0].endedMs == 8_000)
    }

    @Test("a window with no evidence has no availability, never 100%")
    func emptyWindow() throws {
        var history = HandMadeHistory()
        history.run(1, from: 0, heartbeat: 1_000, stopped: 1_000)
        history.rounds(1, .up, at: [0])
        let report = try history.report(since: 50_000, until: 60_000)
        #expect(report.availability == nil)
        #expect(report.coverage == 0)
        #expect(report.unknownMs == 10_000)
        #expect(report.gaps == [RecorderGap(startedMs: 50_000, endedMs: 60_000, cause: .recorderStopped)])
        #expect(TextReportRenderer.render(HistoryReport(
            generatedAtMs: 0, window: try ReportWindow(sinceMs: 50_000, untilMs: 60_000, nowMs: 60_000),
            method: ReportMethod(), targets: [report])).contains("no data"))
    }

    @Test("time before a target's first run is a gap of its own cause")
    func beforeFirstRun() throws {
        var history = HandMadeHistory()
        history.run(1, from: 5_000, heartbeat: 10_000, stopped: 10_000)
        history.rounds(1, .up, at: slots(5_000, 10_000))
        let report = try history.report(since: 0, until: 10_000)
        #expect(report.gaps == [RecorderGap(startedMs: 0, endedMs: 5_000, cause: .notYetRecorded)])
        #expect(report.upMs == 5_000)
    }

    @Test("hysteresis: a lone failed round is down time but no outage; two in a row are one")
    func failureThreshold() throws {
        var history = HandMadeHistory()
        history.policy = try ProbePolicy(intervalMs: 1_000, timeoutMs: 500, failureThreshold: 2)
        history.run(1, from: 0, heartbeat: 6_000, stopped: 6_000)
        history.rounds(1, .up, at: [0, 2_000, 5_000])
        history.rounds(1, .down, at: [1_000, 3_000, 4_000])
        let report = try history.report(since: 0, until: 6_000)
        #expect(report.downMs == 3_000)
        try #require(report.outages.count == 1)
        #expect(report.outages[0].startedMs == 3_000)
        #expect(report.outages[0].confirmedMs == 4_010)
        #expect(report.outages[0].endedMs == 5_000)
        #expect(report.outages[0].failedRounds == 2)
    }

    @Test("an outage still open at the end runs to the last evidence")
    func ongoingOutage() throws {
        var history = HandMadeHistory()
        history.run(1, from: 0, heartbeat: 4_000, stopped: 4_000)
        history.rounds(1, .up, at: [0])
        history.rounds(1, .down, at: [1_000, 2_000, 3_000])
        let report = try history.report(since: 0, until: 10_000)
        try #require(report.outages.count == 1)
        #expect(report.outages[0].endedMs == nil)
        #expect(report.outages[0].durationMs == 3_000)
    }

    @Test("retried-but-up rounds are flaky and do not lower availability; latency is of successful attempts")
    func flakyRound() throws {
        var history = HandMadeHistory()
        history.policy = try ProbePolicy(intervalMs: 1_000, timeoutMs: 500, attempts: 2)
        history.run(1, from: 0, heartbeat: 2_000, stopped: 2_000)
        history.rounds(1, .up, at: [0], durationMs: 4)
        history.rounds.append(StoredRound(targetId: 1, runId: 1, round: RoundRecord(
            scheduledMs: 1_000, verdict: .up, durationUs: 506_000, attempts: [
                AttemptRecord(number: 1, startedMs: 1_000, durationUs: 500_000, failure: FailureDetail(.timeout, message: "")),
                AttemptRecord(number: 2, startedMs: 1_500, durationUs: 6_000),
            ])))
        let report = try history.report(since: 0, until: 2_000)
        #expect(report.availability == 1)
        #expect(report.rounds.flaky == 1)
        #expect(report.attempts == AttemptCounts(total: 3, ok: 2))
        #expect(report.successLatency == LatencySummary(sortedMicroseconds: [4_000, 6_000]))
        #expect(report.failureLatency == LatencySummary(sortedMicroseconds: [500_000]))
        #expect(report.attemptSuccessRatio == 2.0 / 3.0)
    }

    @Test("latency percentiles are nearest rank")
    func percentiles() {
        let summary = LatencySummary(sortedMicroseconds: (1...100).map { Int64($0) * 1_000 })
        #expect(summary.p50 == 50)
        #expect(summary.p95 == 95)
        #expect(summary.p99 == 99)
        #expect(summary.min == 1)
        #expect(summary.max == 100)
        #expect(summary.mean == 50.5)
        #expect(LatencySummary(sortedMicroseconds: []).p50 == nil)
    }
}
