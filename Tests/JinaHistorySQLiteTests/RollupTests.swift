import Foundation
@testable import JinaHistoryCore
@testable import JinaHistoryRecorder
@testable import JinaHistorySQLite
import JinaHistoryRender
import JinaHistoryTestSupport
import JinaHistoryStorageContract
import GRDB
import Testing

/// Rollups make long reports read spans instead of millions of rounds; these tests hold SQLite's to the raw rounds
/// in what is its own (its tables, its loose_rounds bytes, its prune); the storage contract checks the rest.
@Suite("rollups and pruning")
struct RollupTests {
    private static let endMs: Int64 = 1_795_000_000_000
    private static let dayMs: Int64 = 86_400_000

    /// A seeded day of 3 targets at 1 s, written by the recorder's storage code.
    private func seededDatabase(_ directory: URL) throws -> String {
        let path = directory.appending(path: "history.sqlite").path
        try HistorySeeder(targets: 3, spanMs: Self.dayMs, intervalMs: 1_000, endMs: Self.endMs, seed: 11)
            .write(into: HistoryWriter(path: path))
        return path
    }

    private func window(_ sinceMs: Int64, _ untilMs: Int64) throws -> ReportWindow {
        try ReportWindow(sinceMs: sinceMs, untilMs: untilMs, nowMs: Self.endMs + 60_000)
    }

    @Test("rounds no stored span covers are copied once into loose_rounds, and reports read them there")
    func looseRoundsStandInForRawRounds() async throws {
        let directory = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = try seededDatabase(directory)
        struct Stretch { var targetId: Int64, runId: Int64, firstMs: Int64, lastMs: Int64, rounds: Int?, data: Data? }
        let queue = try DatabaseQueue(path: path)
        func stretches(_ table: String) async throws -> [Stretch] {
            try await queue.read { db in
                try Row.fetchAll(db, sql: "SELECT * FROM \(table) ORDER BY target_id, run_id, first_ms").map {
                    Stretch(targetId: $0["target_id"], runId: $0["run_id"], firstMs: $0["first_ms"],
                            lastMs: $0["last_ms"], rounds: $0["rounds"], data: $0["data"])
                }
            }
        }
        let loose = try await stretches("loose_rounds")
        #expect(loose.count > 20 && loose.allSatisfy { $0.firstMs / 3_600_000 == $0.lastMs / 3_600_000 })
        // Every round lies in one stored span or one loose stretch, or (a crashed run's tail) after all of its run's.
        let byRun = Dictionary(grouping: try await stretches("rollup") + loose) { "\($0.targetId)/\($0.runId)" }
            .mapValues { $0.sorted { $0.firstMs < $1.firstMs } }
        #expect(byRun.values.allSatisfy { list in zip(list, list.dropFirst()).allSatisfy { $0.lastMs < $1.firstMs } },
                "stretches of one run never overlap")
        var inLoose: [String: Int] = [:]
        var uncovered = 0
        let rounds = try queue.read { db in
            try Row.fetchAll(db, sql: """
                SELECT target_id, run_id, scheduled_ms FROM round ORDER BY target_id, run_id, scheduled_ms
                """)
        }
        var passed: [String: Int] = [:]
        for row in rounds {
            let (run, slot): (String, Int64) = ("\(row[0] as Int64)/\(row[1] as Int64)", row[2])
            let list = byRun[run] ?? []
            var next = passed[run] ?? 0
            while next < list.count, list[next].lastMs < slot { next += 1 }
            passed[run] = next
            if next < list.count, list[next].firstMs <= slot {
                if list[next].rounds != nil { inLoose["\(run)/\(list[next].firstMs)", default: 0] += 1 }
            } else {
                uncovered += 1
                #expect(next == list.count, "slot \(slot) of run \(run) in nothing, with stretches after it")
            }
        }
        #expect(loose.allSatisfy { inLoose["\($0.targetId)/\($0.runId)/\($0.firstMs)"] == $0.rounds },
                "a stretch counts exactly the rounds in its slots")
        #expect(uncovered < rounds.count / 100, "\(uncovered) rounds of \(rounds.count) in nothing")
        // A stretch's bytes give exactly the rounds the round and attempt tables give, failures included.
        try await queue.read { db in
            func failure(_ id: Int64?) throws -> FailureDetail {
                let row = try id.flatMap {
                    try Row.fetchOne(db, sql: "SELECT * FROM error WHERE id = ?", arguments: [$0])
                }
                return FailureDetail(storedClass: row?["class"], exception: row?["exception"],
                                                    message: row?["message"])
            }
            var failed = 0
            for stretch in loose {
                var raw: [RoundRecord] = []
                try SQLiteSnapshot(db, schemaVersion: HistoryDatabase.latestVersion).forEachRound(
                    in: [SlotStretch(stretch.firstMs..<(stretch.lastMs + 1), targetId: nil)],
                    of: (stretch.targetId, stretch.runId)
                ) { raw += $0.map(\.round) }
                let decoded = try LooseRoundsCodec.decode(try #require(stretch.data), count: stretch.rounds ?? 0,
                                                          firstMs: stretch.firstMs, failure: failure)
                #expect(decoded == raw, "stretch at \(stretch.firstMs) of target \(stretch.targetId)")
                failed += decoded.flatMap(\.attempts).filter { !$0.succeeded }.count
            }
            #expect(failed > 0, "the stretches hold failures with their error texts")
        }

        // A whole day, and a window that starts inside an outage (the replay before it matters).
        let whole = try window(Self.endMs - Self.dayMs - 3_600_000, Self.endMs + 60_000)
        let rawWhole = try HistoryReader(path: path).report(window: whole, useRollups: false)
        let outage = try #require(rawWhole.targets.flatMap(\.outages).first { $0.durationMs > 20_000 })
        let inside = try window(outage.startedMs + 10_000, outage.startedMs + 3 * 3_600_000 + 123)
        let windows = [whole, inside]
        let raw = [rawWhole, try HistoryReader(path: path).report(window: inside, useRollups: false)]
        // History without its loose rows (recorded before migration 0006, or a crash's last stretch) reads them raw.
        let withoutLoose = directory.appending(path: "without-loose.sqlite").path
        try await queue.writeWithoutTransaction { try $0.execute(sql: "VACUUM INTO ?", arguments: [withoutLoose]) }
        try await DatabaseQueue(path: withoutLoose).write { try $0.execute(sql: "DELETE FROM loose_rounds") }
        // With them, the report takes those rounds from loose_rounds: it does not miss them in the round table.
        try await queue.write { db in
            for stretch in loose {
                for table in ["attempt", "round"] {
                    try db.execute(
                        sql: "DELETE FROM \(table) WHERE scheduled_ms BETWEEN ? AND ? AND target_id = ? AND run_id = ?",
                        arguments: [stretch.firstMs, stretch.lastMs, stretch.targetId, stretch.runId])
                }
            }
        }
        for (window, rawReport) in zip(windows, raw) {
            expectSameNumbers(try HistoryReader(path: withoutLoose).report(window: window), rawReport,
                              "without loose rows \(window.sinceMs)")
            expectSameNumbers(try HistoryReader(path: path).report(window: window), rawReport,
                              "loose rows alone \(window.sinceMs)")
        }
    }

    @Test("the HTML latency chart draws each bucket from its own attempts: no span longer than a bucket stands in")
    func latencyChartFromEachBucket() throws {
        let directory = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let reader = try HistoryReader(path: try seededDatabase(directory))
        // 30 minutes on ten-minute boundaries: three whole spans per target, buckets of 30 s.
        let sinceMs = (Self.endMs - 5 * 3_600_000) / 600_000 * 600_000
        let window = try window(sinceMs, sinceMs + 1_800_000)
        let chart = try reader.report(window: window, latencyStrip: true)
        let exact = try reader.report(window: window, useRollups: false, latencyStrip: true)
        for (a, b) in zip(chart.targets, exact.targets) {
            #expect(a.latencyStrip == b.latencyStrip, "\(a.name): the chart's buckets are the raw rounds'")
            #expect(Set(a.latencyStrip.compactMap(\.p50)).count > 1, "\(a.name): not one bar repeated")
        }
        // Text and JSON, which draw no chart, still read the spans.
        #expect(try reader.report(window: window).method.rollupSpans > 0)
        // A long window keeps using spans that fit its buckets (a day's are 24 min: ten-minute spans).
        let day = try reader.report(window: try self.window(Self.endMs - Self.dayMs, Self.endMs), latencyStrip: true)
        #expect(day.method.rollupSpans > 0)
    }

    @Test("a loose_rounds row whose bytes are not its rounds is refused with one line, not misread")
    func damagedLooseRounds() throws {
        let rounds = [
            RoundRecord(scheduledMs: 5_000, verdict: .down, startLagMs: 2, durationUs: 900, attempts: [
                AttemptRecord(number: 1, startedMs: 4_999, durationUs: 400, rawCode: -14,
                              failure: FailureDetail(.refused, message: "refused")),
                AttemptRecord(role: .gatewayLiveness, number: 1, startedMs: 5_003, durationUs: 300, rawCode: 0),
            ]),
            RoundRecord(scheduledMs: 6_000, verdict: .up, durationUs: 800,
                        attempts: [AttemptRecord(number: 1, startedMs: 6_000, durationUs: 800)]),
        ]
        let data = LooseRoundsCodec.encode(rounds, firstMs: 5_000) { _ in 7 }
        let decoded = try LooseRoundsCodec.decode(data, count: 2, firstMs: 5_000) {
            $0 == 7 ? FailureDetail(.refused, message: "refused") : FailureDetail(.rpcError, message: "")
        }
        #expect(decoded == rounds)
        for (bytes, count) in [(data.dropLast(), 2), (data, 3), (data, 1), (Data([0xFF, 0xFF]), 1)] {
            #expect(throws: JinaHistoryError.self) {
                _ = try LooseRoundsCodec.decode(Data(bytes), count: count, firstMs: 5_000) { _ in
                    FailureDetail(.rpcError, message: "")
                }
            }
        }
    }

    @Test("prune deletes covered rounds and leaves availability, outages and gaps of that time as they were")
    func pruneKeepsReports() async throws {
        let directory = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = try seededDatabase(directory)
        let before = try HistoryReader(path: path)
        let start = Self.endMs - Self.dayMs
        let windows = [
            try window(start - 3_600_000, Self.endMs + 60_000),
            try window(start + 5_432_100, Self.endMs - 7_777_000),
            try window(start + 40_000_000, start + 40_600_000),
        ]
        let raw = try windows.map { try before.report(window: $0, useRollups: false) }
        let size = { ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue ?? 0 }
        let sizeBefore = size()

        // A prune interrupted before it finished (its horizon written, no span done yet) is completed by the next.
        try await DatabaseQueue(path: path).write { db in
            try db.execute(sql: "INSERT INTO prune (before_ms, at_ms, rounds, attempts) VALUES (?, ?, 0, 0)",
                           arguments: [Self.endMs - 2 * 3_600_000, Self.endMs])
        }
        let result = try HistoryWriter(path: path).prune(beforeMs: Self.endMs - 2 * 3_600_000, nowMs: Self.endMs)
        #expect(result.rounds > 3 * 20 * 3_600 && result.pagesFreed > 0, "\(result)")
        #expect(size() < sizeBefore / 2, "the file shrank: \(size()) of \(sizeBefore)")
        let after = try HistoryReader(path: path)
        for (window, rawReport) in zip(windows, raw) {
            expectSameNumbers(try after.report(window: window), rawReport, exactCounts: false, "\(window.sinceMs)")
        }
        // The rounds that started and ended outages are evidence and stay.
        let missing = try await DatabaseQueue(path: path).read { db in
            try Int.fetchOne(db, sql: """
                SELECT count(*) FROM transition t WHERE NOT EXISTS (SELECT 1 FROM round r
                WHERE r.scheduled_ms = t.round_scheduled_ms AND r.target_id = t.target_id AND r.run_id = t.run_id)
                """) ?? -1
        }
        #expect(missing == 0)
        // The timeline over pruned time says so; one after the horizon does not.
        let pruned = try after.timeline(window: windows[2], target: nil)
        #expect(pruned.roundsPrunedBeforeMs == windows[2].untilMs)
        #expect(TimelineTextRenderer.render(pruned, window: windows[2]).contains("were pruned"))
        let recent = try window(Self.endMs - 3_600_000, Self.endMs)
        #expect(try after.timeline(window: recent, target: nil).roundsPrunedBeforeMs == nil)
        #expect(try after.rawRoundsPrunedBefore(windows[0]) == Self.endMs - 2 * 3_600_000)
        // So does an export of rounds, on stderr, beside its CSV.
        let export = try await runJinaHistory([
            "export", "--what", "rounds", "--db", path, "--since", "\(windows[2].sinceMs / 1_000)",
            "--until", "\(windows[2].untilMs / 1_000)",
        ])
        #expect(export.status == 0 && export.stderr.contains("were pruned") && export.stdout.hasPrefix("target,run,"),
                "\(export.stderr)")
        // A second prune finds nothing more to delete.
        #expect(try HistoryWriter(path: path).prune(beforeMs: Self.endMs - 2 * 3_600_000, nowMs: Self.endMs).rounds == 0)
    }

    @Test("a span holds only rounds that continue the state: transitions, skipped or missing slots, the clock cut it")
    func trackerCutsSpans() {
        // A clock hour, which ends a ten-minute slot too: spans and loose stretches are both cut there.
        let hour = LooseRounds.periodMs
        #expect(hour % RollupSpan.periodMs(intervalMs: 1_000) == 0)
        var tracker = RollupTracker(intervalMs: 1_000, targetId: 1, runId: 1)
        func round(_ ms: Int64, _ verdict: RoundVerdict) -> RoundRecord {
            verdict == .skipped ? .skipped(at: ms) : RoundRecord(
                scheduledMs: ms, verdict: verdict, durationUs: 1_000,
                attempts: [AttemptRecord(number: 1, startedMs: ms, durationUs: 1_000,
                                         failure: verdict == .up ? nil : FailureDetail(.refused, message: "no"))])
        }
        var closed: [RollupSpan] = []
        var machine = StateMachine()
        let base = 100 * hour - 5_000
        let verdicts: [RoundVerdict] = [.up, .up, .up, .up, .up, .up, .up, .up, .down, .down, .down, .skipped, .down,
                                        .up, .up]
        for (slot, verdict) in verdicts.enumerated() {
            let r = round(base + Int64(slot) * 1_000, verdict)
            if let span = tracker.observe(r, transition: machine.observe(r)) { closed.append(span) }
        }
        // Missing slot: a round two intervals on.
        let late = round(base + 16_000, .up)
        if let span = tracker.observe(late, transition: machine.observe(late)) { closed.append(span) }
        // Transitions (slots 0, 8, 13) are in no span; the ten-minute slot ending at base + 5 s, the skipped slot
        // 11 and the missing slot 15 cut the stretches between them.
        #expect(closed.map { [$0.firstMs - base, $0.lastMs - base, Int64($0.rounds)] } == [
            [1_000, 4_000, 4], [5_000, 7_000, 3], [9_000, 10_000, 2], [12_000, 12_000, 1], [14_000, 14_000, 1],
        ])
        #expect(closed[2].verdict == .down && closed[2].failure.count == 2 && closed[2].success.count == 0)
        #expect(tracker.open?.firstMs == base + 16_000 && tracker.open?.rounds == 1)
        // No span is long enough to store, so every round is loose, in stretches cut by the clock hour; the ones
        // after the hour are held until the run ends (the missing slot 15 is simply not there).
        #expect(tracker.takeLoose().map { $0.rounds.map { ($0.scheduledMs - base) / 1_000 } } == [[0, 1, 2, 3, 4]])
        #expect(tracker.closingRun().loose.map { $0.rounds.map { ($0.scheduledMs - base) / 1_000 } }
                    == [[5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 16]])
        #expect(tracker.takeLoose().isEmpty, "taken once")

        // A target that flaps every round is never steady: its loose stretches are capped, not one per hour.
        var flapping = RollupTracker(intervalMs: 1_000, targetId: 2, runId: 1)
        var flappingMachine = StateMachine()
        var stretches: [LooseRounds] = []
        for slot in 0..<300 {
            let r = round(base + 10_000 + Int64(slot) * 1_000, slot % 2 == 0 ? .up : .down)
            #expect(flapping.observe(r, transition: flappingMachine.observe(r)) == nil)
            stretches += flapping.takeLoose()
        }
        stretches += flapping.closingRun().loose
        #expect(stretches.map(\.rounds.count) == [LooseRounds.maximumRounds, 300 - LooseRounds.maximumRounds])
        #expect(stretches[1].firstMs == stretches[0].lastMs + 1_000)
    }

    @Test("spans that continue one another within a UTC day are joined into a day span; cuts and midnight end it")
    func trackerJoinsDays() {
        let hour: Int64 = 3_600_000
        let minute: Int64 = 60_000
        #expect(RollupSpan.periodMs(intervalMs: minute) == hour)
        var tracker = RollupTracker(intervalMs: minute, targetId: 1, runId: 1)
        var machine = StateMachine()
        var days: [Int64: RollupSpan] = [:]
        var closed: [RollupSpan] = []
        let midnight = 20_000 * RollupSpan.dayMs
        // Up from 21:59 before midnight to 03:00 after it (the first round is a transition), a skipped slot at 01:30.
        var ms = midnight - 2 * hour - minute
        while ms < midnight + 3 * hour {
            let round = ms == midnight + hour + 30 * minute ? RoundRecord.skipped(at: ms) : RoundRecord(
                scheduledMs: ms, verdict: .up, durationUs: 2_000,
                attempts: [AttemptRecord(number: 1, startedMs: ms, durationUs: 2_000, failure: nil)])
            if let span = tracker.observe(round, transition: machine.observe(round)) {
                closed.append(span)
                if let day = tracker.day { days[day.firstMs] = day }
            }
            ms += minute
        }
        let ending = tracker.closingRun()
        if let day = ending.day { days[day.firstMs] = day }
        // Loose: only the first round (a transition) and the skipped slot; the spans after them are stored.
        #expect(ending.loose.map { $0.rounds.map(\.scheduledMs) } == [[midnight - 2 * hour - minute],
                                                                      [midnight + hour + 30 * minute]])
        // Hour spans (at a 1 min interval) 22:00, 23:00 | 00:00, 01:00–01:29 | 01:31–01:59, 02:00 (open at the
        // end): midnight and the skipped slot cut the days; the run's end joins its open span in.
        #expect(closed.count == 5 && ending.open?.firstMs == midnight + 2 * hour)
        let joined = days.values.sorted { $0.firstMs < $1.firstMs }
        #expect(joined.map { [$0.firstMs - midnight, $0.lastMs - midnight, Int64($0.rounds)] } == [
            [-2 * hour, -minute, 120], [0, hour + 29 * minute, 90], [hour + 31 * minute, 3 * hour - minute, 89],
        ])
        #expect(joined[0].success.count == 120 && joined[0].success.sumUs == 240_000 && joined[0].attempts == 120)

        // One span alone is a day span too once it closes inside the run, so every closed span lies in one (a
        // report searches for spans outside the day spans only where these leave room, and at runs' ends); the
        // last span of a run, alone, gets no copy.
        var lone = RollupTracker(intervalMs: minute, targetId: 2, runId: 1)
        var loneMachine = StateMachine()
        for slot in -1..<10 {
            let round = RoundRecord(scheduledMs: midnight + Int64(slot) * minute, verdict: .up, durationUs: 2_000)
            #expect(lone.observe(round, transition: loneMachine.observe(round)) == nil)
        }
        let loneEnding = lone.closingRun()
        #expect(loneEnding.open?.rounds == 10 && loneEnding.day == nil)
        let down = RoundRecord.skipped(at: midnight + 10 * minute)
        let closedAlone = lone.observe(down, transition: loneMachine.observe(down))
        #expect(closedAlone?.rounds == 10 && lone.day == closedAlone)

        // Below a 5 s interval spans are cut by ten minutes, so a window's edge leaves at most 600 rounds at 1 s
        // to read raw, not 3,600: from 00:09:00 (a transition) for twelve minutes.
        var fine = RollupTracker(intervalMs: 1_000, targetId: 3, runId: 1)
        var fineMachine = StateMachine()
        var fineClosed: [RollupSpan] = []
        for slot in 0..<(12 * 60) {
            let round = RoundRecord(scheduledMs: midnight + 9 * minute + Int64(slot) * 1_000, verdict: .up,
                                    durationUs: 2_000)
            if let span = fine.observe(round, transition: fineMachine.observe(round)) { fineClosed.append(span) }
        }
        #expect(fineClosed.map { [$0.firstMs - midnight, $0.lastMs - midnight, Int64($0.rounds)] } == [
            [9 * minute + 1_000, 10 * minute - 1_000, 59], [10 * minute, 20 * minute - 1_000, 600],
        ])
        #expect(fine.open?.firstMs == midnight + 20 * minute && fine.open?.rounds == 60)
        #expect(fine.day?.firstMs == midnight + 9 * minute + 1_000 && fine.day?.rounds == 659)
    }

    @Test("over several days, reports read day spans with every number of the raw rounds")
    func daySpansMatchRawRounds() async throws {
        let directory = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appending(path: "days.sqlite").path
        try HistorySeeder(targets: 2, spanMs: 4 * Self.dayMs, intervalMs: 10_000, endMs: Self.endMs, seed: 3)
            .write(into: HistoryWriter(path: path))
        // What reports rely on: every hour span lies inside one day span or outside all, and a day span holds
        // exactly the rounds of the hour spans inside it.
        let (strays, mismatched, days) = try await DatabaseQueue(path: path).read { db in
            let inside = """
                h.target_id = d.target_id AND h.run_id = d.run_id AND h.first_ms >= d.first_ms
                AND h.last_ms <= d.last_ms
                """
            return (
                try Int.fetchOne(db, sql: """
                    SELECT count(*) FROM rollup h JOIN rollup_day d ON h.target_id = d.target_id
                    AND h.run_id = d.run_id AND h.first_ms <= d.last_ms AND h.last_ms >= d.first_ms
                    WHERE NOT (\(inside))
                    """) ?? -1,
                try Int.fetchOne(db, sql: """
                    SELECT count(*) FROM rollup_day d WHERE d.rounds != (SELECT sum(h.rounds) FROM rollup h
                    WHERE \(inside)) OR d.attempts != (SELECT sum(h.attempts) FROM rollup h WHERE \(inside))
                    """) ?? -1,
                try Int.fetchOne(db, sql: "SELECT count(*) FROM rollup_day") ?? 0
            )
        }
        #expect(strays == 0 && mismatched == 0 && days > 0, "\(strays) \(mismatched) \(days)")

        let reader = try HistoryReader(path: path)
        let start = Self.endMs - 4 * Self.dayMs
        let whole = try window(start - 3_600_000, Self.endMs + 60_000)
        let windows = [
            whole,
            try window(start + Self.dayMs + 1_234_567, Self.endMs - 555_000),
            try window((start / Self.dayMs + 1) * Self.dayMs, (start / Self.dayMs + 3) * Self.dayMs),
        ]
        for window in windows {
            expectSameNumbers(try reader.report(window: window), try reader.report(window: window, useRollups: false),
                              "\(window.sinceMs)")
        }
        // Without the latency strip (text and JSON do not show it) every other number stays.
        let withStrip = try reader.report(window: whole, latencyStrip: true)
        let withoutStrip = try reader.report(window: whole)
        expectSameNumbers(withoutStrip, withStrip, "without the latency strip")
        #expect(withoutStrip.targets.allSatisfy(\.latencyStrip.isEmpty)
                    && withStrip.targets.allSatisfy { $0.latencyStrip.count == TargetReport.stripBuckets })
        // Day spans stand in for most hour spans: a few spans per target and day, not one or more per hour.
        let hourSpans = try await DatabaseQueue(path: path).read {
            try Int.fetchOne($0, sql: "SELECT count(*) FROM rollup") ?? 0
        }
        let used = try reader.report(window: whole).method.rollupSpans
        #expect(used > 0 && used * 2 < hourSpans, "\(used) spans used of \(hourSpans) hour spans")

        // History recorded before every closed span got a day span (a span alone had none): the report finds
        // such spans where the day spans leave room for them, so it reads as many spans and no more raw rounds,
        // and keeps every number.
        let before = try windows.map { try reader.report(window: $0).method }
        let singles = try await DatabaseQueue(path: path).write { db -> Int in
            try db.execute(sql: """
                DELETE FROM rollup_day WHERE EXISTS (SELECT 1 FROM rollup h WHERE h.first_ms = rollup_day.first_ms
                    AND h.target_id = rollup_day.target_id AND h.run_id = rollup_day.run_id
                    AND h.last_ms = rollup_day.last_ms)
                """)
            return db.changesCount
        }
        #expect(singles > 0)
        for (window, method) in zip(windows, before) {
            let report = try reader.report(window: window)
            #expect(report.method.rollupSpans == method.rollupSpans && report.method.rawRounds == method.rawRounds,
                    "\(report.method) vs \(method)")
            expectSameNumbers(report, try reader.report(window: window, useRollups: false),
                              "without single day spans, \(window.sinceMs)")
        }
    }

    @Test("histogram percentiles stay within 0.5% of exact nearest rank; stored bytes read back the same")
    func histogramAccuracy() throws {
        var random = SplitMix64(seed: 5)
        var histogram = LatencyHistogram()
        var values: [Int64] = []
        for _ in 0..<50_000 {
            let value = Int64(random.next() % 5_000) + (random.next() % 20 == 0 ? Int64(random.next() % 2_000_000) : 0)
            values.append(value)
            histogram.add(value)
        }
        values.sort()
        let exact = LatencySummary(sortedMicroseconds: values)
        let approximate = LatencySummary(histogram: histogram)
        #expect(approximate.count == exact.count && approximate.mean == exact.mean && approximate.min == exact.min
                    && approximate.max == exact.max)
        for (a, e) in [(approximate.p50, exact.p50), (approximate.p90, exact.p90), (approximate.p99, exact.p99)] {
            let truth = try #require(e)
            #expect(abs(try #require(a) - truth) <= 0.005 * truth + 0.001, "\(a ?? 0) vs \(truth)")
        }
        let stored = try LatencyHistogram(
            encodedBuckets: histogram.encodedBuckets, count: histogram.count, sumUs: histogram.sumUs,
            sumSquaresUs: histogram.sumSquaresUs, minUs: histogram.minUs, maxUs: histogram.maxUs)
        #expect(stored == histogram)
        #expect(throws: JinaHistoryError.self) {
            try LatencyHistogram(encodedBuckets: Data([0x81]), count: 1, sumUs: 0, sumSquaresUs: 0, minUs: 0, maxUs: 0)
        }
    }
}
