import Foundation
import JinaHistoryCore
import JinaHistoryRecorder
import JinaHistoryTestSupport
public import Testing

/// What every storage engine must do, checked through the storage interface alone (``HistoryWriting``,
/// ``HistoryReading``, ``HistorySnapshot``), so the same checks hold SQLite and each engine after it to one
/// contract. An engine's test target runs every ``Check`` on its own ``StorageEngineUnderTest``.
public struct StorageContract: Sendable {
    /// One check of the contract.
    public enum Check: String, CaseIterable, Sendable, CustomTestStringConvertible {
        case runsAndTargets
        case oneRecorderAtATime
        case roundsRoundTrip
        case maintenanceWindows
        case storageFaults
        case notifications
        case rollupsGiveTheRawNumbers
        case vantagesFromRollups
        case pruneKeepsTheNumbers
        case snapshotStaysStillWhileTheRecorderWrites

        /// What the check holds the engine to, as the test list shows it.
        public var testDescription: String {
            switch self {
            case .runsAndTargets:
                "runs and targets: one id per name across runs, each run's policy, the last labels and url"
            case .oneRecorderAtATime:
                "a second recorder of a vantage is refused while one runs (same host: process alive; else: heartbeat); "
                    + "other vantages record beside it"
            case .roundsRoundTrip:
                "rounds, attempts, failures and transitions read back as written, in key order"
            case .maintenanceWindows:
                "maintenance windows: by target or all, found by overlap, deleted ones kept and marked"
            case .storageFaults:
                "a storage fault a batch ends is kept with the batch"
            case .notifications:
                "notifications' outcomes are kept with the batch and read back by the time they were queued"
            case .rollupsGiveTheRawNumbers:
                "reports from rollups and loose stretches have the raw rounds' numbers, reading few rounds"
            case .vantagesFromRollups:
                "each vantage's account from rollups has its raw numbers where another vantage's spans cover "
                    + "its crashed run's tail"
            case .pruneKeepsTheNumbers:
                "prune deletes covered rounds; reports of that time keep their numbers; the horizon is known"
            case .snapshotStaysStillWhileTheRecorderWrites:
                "a snapshot stays still while the recorder writes beside it, and does not block it"
            }
        }
    }

    private let engine: any StorageEngineUnderTest
    private static let dayMs: Int64 = 86_400_000
    private static let hourMs: Int64 = 3_600_000
    /// Midnight UTC, so whole UTC days (and day spans) lie inside the seeded history.
    private static let endMs: Int64 = 1_795_046_400_000

    /// The contract for `engine`.
    public init(engine: any StorageEngineUnderTest) {
        self.engine = engine
    }

    /// Runs `check` on a new store of the engine's.
    public func run(_ check: Check) throws {
        let directory = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try engine.makeStore(in: directory)
        switch check {
        case .runsAndTargets: try runsAndTargets(store)
        case .oneRecorderAtATime: try oneRecorderAtATime(store)
        case .roundsRoundTrip: try roundsRoundTrip(store)
        case .maintenanceWindows: try maintenanceWindows(store)
        case .storageFaults: try storageFaults(store)
        case .notifications: try notifications(store)
        case .rollupsGiveTheRawNumbers: try rollupsGiveTheRawNumbers(store)
        case .vantagesFromRollups: try vantagesFromRollups(store)
        case .pruneKeepsTheNumbers: try pruneKeepsTheNumbers(store)
        case .snapshotStaysStillWhileTheRecorderWrites: try snapshotStaysStill(store)
        }
    }

    private func scheduled(_ name: String, kind: TargetKind = .flow, port: Int = 5, intervalMs: Int64 = 1_000,
                           labels: [String: String] = [:]) throws -> ScheduledTarget {
        ScheduledTarget(
            target: Target(name: name, kind: kind, endpoint: try Endpoint(parsing: "127.0.0.1:\(port)"),
                           labels: labels),
            policy: try ProbePolicy(intervalMs: intervalMs, timeoutMs: 500, attempts: 2))
    }

    private func runsAndTargets(_ store: StoreUnderTest) throws {
        let writer = try store.openWriter()
        let flow = try scheduled("flow-a", labels: ["team": "search", "region": "eu"])
        let executor = try scheduled("exec-b", kind: .executor, port: 6, intervalMs: 5_000)
        let first = try writer.beginRun(startedMs: 1_000, host: "host-1", pid: 41, version: "1.0",
                                        targets: [flow, executor])
        #expect(first.targetIds.count == 2 && Set(first.targetIds).count == 2)
        try writer.append([], runId: first.runId, heartbeatMs: 8_000)
        try writer.finishRun(first.runId, stoppedMs: 9_000)
        // The same name again, moved and relabelled, with another policy: the same target, a new run.
        let moved = try scheduled("flow-a", port: 7, intervalMs: 2_000, labels: ["team": "search"])
        let second = try writer.beginRun(startedMs: 10_000, host: "host-2", pid: 42, version: "1.1", targets: [moved])
        #expect(second.targetIds == [first.targetIds[0]] && second.runId != first.runId)

        let (runs, targets) = try store.openReader().withSnapshot { (try $0.runs(), try $0.targets()) }
        #expect(runs.map(\.id) == [first.runId, second.runId])
        #expect(runs.map(\.startedMs) == [1_000, 10_000] && runs.map(\.heartbeatMs) == [9_000, 10_000])
        #expect(runs.map(\.stoppedMs) == [9_000, nil])
        #expect(runs.map(\.host) == ["host-1", "host-2"] && runs.map(\.pid) == [41, 42]
                    && runs.map(\.version) == ["1.0", "1.1"])
        let byName = Dictionary(uniqueKeysWithValues: targets.map { ($0.name, $0) })
        let storedFlow = try #require(byName["flow-a"])
        #expect(storedFlow.id == first.targetIds[0] && storedFlow.kind == .flow)
        #expect(storedFlow.url == moved.target.endpoint.description && storedFlow.labels == ["team": "search"])
        #expect(storedFlow.policies == [first.runId: flow.policy, second.runId: moved.policy])
        let storedExecutor = try #require(byName["exec-b"])
        #expect(storedExecutor.kind == .executor && storedExecutor.labels.isEmpty)
        #expect(storedExecutor.policies == [first.runId: executor.policy])
    }

    private func oneRecorderAtATime(_ store: StoreUnderTest) throws {
        let here = ProcessInfo.processInfo
        let (host, pid) = (here.hostName, Int(here.processIdentifier))
        let nowMs = Int64(Date().timeIntervalSince1970 * 1_000)
        let targets = [try scheduled("flow-a")]
        let recorder = try store.openWriter()
        func begin(_ writer: any HistoryWriting, at startedMs: Int64, host: String = host, vantage: String = "a",
                   pid: Int = pid, exclusive: Bool = true) throws -> Int64 {
            try writer.beginRun(startedMs: startedMs, host: host, vantage: vantage, pid: pid, version: "t",
                                targets: targets, exclusive: exclusive).runId
        }
        let running = try begin(recorder, at: nowMs)
        // A second recorder of the same vantage, with its own writer as its own process would have, is refused.
        let second = try store.openWriter()
        #expect(throws: JinaHistoryError.recorderRunning(RunningRecorder(
            location: second.location, pid: pid, host: host, vantage: "a", sinceMs: nowMs, runId: running))) {
            try begin(second, at: nowMs + 1, pid: pid + 1)
        }
        // One of another vantage records beside it, and so does a recorded ping.
        let beside = try begin(second, at: nowMs + 1, vantage: "b", pid: pid + 1)
        try second.finishRun(beside, stoppedMs: nowMs + 2)
        let ping = try begin(second, at: nowMs + 2, exclusive: false)
        try second.finishRun(ping, stoppedMs: nowMs + 3)
        try recorder.finishRun(running, stoppedMs: nowMs + 4)
        let vantages = try store.openReader().withSnapshot { try $0.runs().map(\.vantage) }
        #expect(vantages == ["a", "b", "a"])

        // A recorder that died here (no stop mark, its process gone) holds nothing.
        let gone = Process()
        gone.executableURL = URL(fileURLWithPath: "/bin/true")
        try gone.run()
        gone.waitUntilExit()
        _ = try begin(recorder, at: nowMs + 5, pid: Int(gone.processIdentifier), exclusive: false)
        // On another host only its heartbeat tells: a stale one holds nothing, a fresh one holds its vantage.
        let elsewhere = "elsewhere.invalid"
        _ = try begin(recorder, at: nowMs - 10 * ReportBuilder.heartbeatGraceMs, host: elsewhere, pid: 7,
                      exclusive: false)
        let next = try begin(second, at: nowMs + 6)
        try second.finishRun(next, stoppedMs: nowMs + 7)
        let fresh = try begin(recorder, at: nowMs + 8, host: elsewhere, pid: 8, exclusive: false)
        #expect(throws: JinaHistoryError.recorderRunning(RunningRecorder(
            location: second.location, pid: 8, host: elsewhere, vantage: "a", sinceMs: nowMs + 8, runId: fresh))) {
            try begin(second, at: nowMs + 9)
        }
    }

    private func roundsRoundTrip(_ store: StoreUnderTest) throws {
        let writer = try store.openWriter()
        let (run, ids) = try writer.beginRun(startedMs: 0, host: "h", pid: 1, version: "t",
                                             targets: [try scheduled("flow-a"), try scheduled("flow-b", port: 6)])
        let jina = FailureDetail(
            .notReady, message: "Communication error with deployment echo at address(es) {'127.0.0.1:50805'}.",
            exception: "InternalNetworkError")
        let refused = FailureDetail(.refused, message: "connection refused")
        let healthy = { (ms: Int64) in
            RoundRecord(scheduledMs: ms, verdict: .up, durationUs: 2_500,
                        attempts: [AttemptRecord(number: 1, startedMs: ms, durationUs: 2_500)])
        }
        let failed = RoundRecord(scheduledMs: 1_000, verdict: .down, startLagMs: 1, durationUs: 7_000, attempts: [
            AttemptRecord(number: 1, startedMs: 1_001, durationUs: 3_000, rawCode: 1, failure: jina),
            AttemptRecord(number: 2, startedMs: 1_005, durationUs: 3_000, rawCode: 1, failure: jina),
            AttemptRecord(role: .gatewayLiveness, number: 1, startedMs: 1_009, durationUs: 500, rawCode: 1),
        ])
        let retried = RoundRecord(scheduledMs: 3_000, verdict: .up, startLagMs: 4, durationUs: 9_000, attempts: [
            AttemptRecord(number: 1, startedMs: 3_004, durationUs: 400, rawCode: -14, failure: refused),
            AttemptRecord(number: 2, startedMs: 3_010, durationUs: 2_000),
        ])
        let down = Transition(from: .up, to: .down, atMs: 1_008, roundScheduledMs: 1_000, streakStartedMs: 1_000,
                              failure: jina)
        let up = Transition(from: .down, to: .up, atMs: 3_012, roundScheduledMs: 3_000, streakStartedMs: 3_000)
        let (a, b) = (ids[0], ids[1])
        let written = [
            RecordedRound(targetId: a, round: healthy(0), transition: nil),
            RecordedRound(targetId: b, round: healthy(0), transition: nil),
            RecordedRound(targetId: a, round: failed, transition: down),
            RecordedRound(targetId: a, round: .skipped(at: 2_000), transition: nil),
            RecordedRound(targetId: a, round: retried, transition: up),
            RecordedRound(targetId: b, round: healthy(3_000), transition: nil),
        ]
        // In two batches, as a recorder commits them.
        try writer.append(Array(written[..<3]), runId: run, heartbeatMs: 1_010)
        try writer.append(Array(written[3...]), runId: run, heartbeatMs: 3_020)
        try writer.finishRun(run, stoppedMs: 4_000)

        try store.openReader().withSnapshot { snapshot in
            var read: [StoredRound] = []
            try snapshot.forEachRound(in: [SlotStretch(0..<10_000, targetId: nil)]) { read += $0 }
            let expected = written
                .map { StoredRound(targetId: $0.targetId, runId: run, round: $0.round) }
                .sorted { ($0.round.scheduledMs, $0.targetId) < ($1.round.scheduledMs, $1.targetId) }
            #expect(read == expected)
            // The run knows its last stored slot (the second batch's last round), which bounds its raw rounds.
            #expect(try snapshot.runs().map(\.lastSlotMs) == [3_000])
            // One target's rounds, a stretch at a time.
            var ofB: [StoredRound] = []
            try snapshot.forEachRound(in: [SlotStretch(0..<1_000, targetId: b), SlotStretch(2_000..<5_000, targetId: b)],
                                      of: (b, run)) { ofB += $0 }
            #expect(ofB.map(\.round) == [healthy(0), healthy(3_000)])

            #expect(try snapshot.transitions(in: 0..<10_000) == [
                StoredTransition(targetId: a, runId: run, transition: down),
                StoredTransition(targetId: a, runId: run, transition: up),
            ])
            #expect(try snapshot.transitions(in: 2_000..<3_000).isEmpty)
            #expect(try snapshot.lastTransition(targetId: a, to: .down, atOrBefore: 2_500) == down)
            #expect(try snapshot.lastTransition(targetId: a, to: .down, atOrBefore: 1_007) == nil)
            #expect(try snapshot.lastTransition(targetId: b, to: .down, atOrBefore: 10_000) == nil)
            #expect(try snapshot.runs().map(\.heartbeatMs) == [4_000])
        }
        let reader = try store.openReader()
        let window = try ReportWindow(sinceMs: 0, untilMs: 4_000, nowMs: 4_000)
        var rows: [ExportTable: Int] = [:]
        for table in [ExportTable.rounds, .attempts, .transitions] {
            try reader.export(table, window: window, target: "flow-a") { _ in rows[table, default: 0] += 1 }
        }
        #expect(rows == [.rounds: 4, .attempts: 6, .transitions: 2])
        let report = try #require(try reader.report(window: window).targets.first { $0.name == "flow-a" })
        #expect(report.attempts.total == 5 && report.attempts.ok == 2, "readiness attempts only")
        #expect(report.outages.map(\.firstFailure) == [jina])
    }

    private func maintenanceWindows(_ store: StoreUnderTest) throws {
        let writer = try store.openWriter()
        let (_, ids) = try writer.beginRun(startedMs: 0, host: "h", pid: 1, version: "t",
                                           targets: [try scheduled("flow-a"), try scheduled("flow-b", port: 6)])
        try writer.annotateMaintenance(targetName: "flow-a", fromMs: 1_000, toMs: 5_000, note: "upgrade",
                                       createdMs: 100)
        try writer.annotateMaintenance(targetName: nil, fromMs: 20_000, toMs: 30_000, note: "network",
                                       createdMs: 200)
        #expect(throws: JinaHistoryError.invalid(.target, value: "flow-c", .notRecorded(known: ["flow-a", "flow-b"]))) {
            try writer.annotateMaintenance(targetName: "flow-c", fromMs: 0, toMs: 1, note: "", createdMs: 300)
        }
        let reader = try store.openReader()
        let all = try reader.maintenanceWindows()
        #expect(all.map(\.targetId) == [ids[0], nil] && all.map(\.note) == ["upgrade", "network"])
        #expect(all.map(\.fromMs) == [1_000, 20_000] && all.map(\.toMs) == [5_000, 30_000])
        #expect(Set(all.map(\.id)).count == 2 && all.allSatisfy { $0.deletedMs == nil })
        let overlapping = { (range: Range<Int64>) in
            try reader.withSnapshot { try $0.maintenance(overlapping: range).map(\.note) }
        }
        #expect(try overlapping(4_999..<20_001) == ["upgrade", "network"])
        #expect(try overlapping(5_000..<20_000).isEmpty, "windows end exclusive")

        let deleted = try writer.deleteMaintenance(id: all[0].id, deletedMs: 7_000)
        #expect(deleted == all[0], "the window as it was")
        #expect(try reader.maintenanceWindows().map(\.deletedMs) == [7_000, nil], "deleted, still listed")
        #expect(throws: JinaHistoryError.invalid(.delete, value: "\(all[0].id)", .deletedAlready(atMs: 7_000))) {
            try writer.deleteMaintenance(id: all[0].id, deletedMs: 8_000)
        }
        let missing = all.map(\.id).max()! + 100
        #expect(throws: JinaHistoryError.invalid(.delete, value: "\(missing)", .noSuchMaintenanceWindow)) {
            try writer.deleteMaintenance(id: missing, deletedMs: 8_000)
        }
    }

    private func storageFaults(_ store: StoreUnderTest) throws {
        let writer = try store.openWriter()
        let (run, ids) = try writer.beginRun(startedMs: 0, host: "h", pid: 1, version: "t",
                                             targets: [try scheduled("flow-a")])
        let fault = StorageFault(fromMs: 2_000, toMs: 9_000, failedWrites: 4, roundsDropped: 3,
                                 message: "database is locked")
        try writer.append([RecordedRound(targetId: ids[0], round: .skipped(at: 9_000), transition: nil)], deliveries: [],
                          runId: run, heartbeatMs: 9_000, endingFault: fault)
        let reader = try store.openReader()
        #expect(try reader.withSnapshot { try $0.storageFaults(overlapping: 0..<10_000) } == [fault])
        #expect(try reader.withSnapshot { try $0.storageFaults(overlapping: 9_000..<10_000) }.isEmpty)
        #expect(try reader.withSnapshot { try $0.runs().map(\.heartbeatMs) } == [9_000])
    }

    private func notifications(_ store: StoreUnderTest) throws {
        let writer = try store.openWriter()
        let (run, ids) = try writer.beginRun(startedMs: 0, host: "h", pid: 1, version: "t",
                                             targets: [try scheduled("flow-a"), try scheduled("flow-b", port: 6)])
        let down = Transition(from: .up, to: .down, atMs: 2_010, roundScheduledMs: 2_000, streakStartedMs: 2_000,
                              failure: FailureDetail(.refused, message: "refused"))
        try writer.append([RecordedRound(targetId: ids[1], round: RoundRecord(
            scheduledMs: 2_000, verdict: .down, durationUs: 10_000,
            attempts: [AttemptRecord(number: 1, startedMs: 2_000, durationUs: 10_000, failure: down.failure)]),
            transition: down)], runId: run, heartbeatMs: 2_100)
        let sent = NotificationDelivery(
            targetId: ids[1], event: .down, transitionAtMs: 2_010, queuedMs: 2_100, finishedMs: 2_150,
            destination: "http://127.0.0.1:9/…", attempts: 1, outcome: .sent, status: 200, error: "")
        let failed = NotificationDelivery(
            targetId: ids[1], event: .down, transitionAtMs: 2_010, queuedMs: 2_100, finishedMs: 5_600,
            destination: "command page …", attempts: 3, outcome: .failed, status: 1, error: "the command failed")
        let notSent = NotificationDelivery(
            targetId: ids[1], event: .reminder, transitionAtMs: 2_010, queuedMs: 8_000, finishedMs: 9_000,
            destination: "http://127.0.0.1:9/…", attempts: 0, outcome: .notSent, status: nil,
            error: "the recorder stopped before it could be sent")
        try writer.append([], deliveries: [sent], runId: run, heartbeatMs: 3_000, endingFault: nil)
        try writer.append([], deliveries: [failed, notSent], runId: run, heartbeatMs: 9_000, endingFault: nil)
        let reader = try store.openReader()
        // Read back with the run that queued them.
        let stored = [sent, failed, notSent].map { delivery in
            var stored = delivery
            stored.runId = run
            return stored
        }
        #expect(try reader.withSnapshot { try $0.notifications(in: 0..<10_000) } == stored)
        #expect(try reader.withSnapshot { try $0.notifications(in: 2_101..<8_001) } == [stored[2]])
        let report = try reader.report(window: try ReportWindow(sinceMs: 0, untilMs: 10_000, nowMs: 10_000))
        #expect(report.targets.map(\.notifications) == [NotificationCounts(), {
            var counts = NotificationCounts()
            (counts.sent, counts.failed, counts.notSent) = (1, 1, 1)
            return counts
        }()])
    }

    /// Two days of three targets every 5 s with an outage a day or so each, written by the recorder's code.
    private func seed(_ store: StoreUnderTest) throws -> Int {
        try HistorySeeder(targets: 3, spanMs: 2 * Self.dayMs, intervalMs: 5_000, endMs: Self.endMs, seed: 11,
                          outageOdds: 5_000)
            .write(into: store.openWriter())
    }

    private func window(_ sinceMs: Int64, _ untilMs: Int64) throws -> ReportWindow {
        try ReportWindow(sinceMs: sinceMs, untilMs: untilMs, nowMs: Self.endMs + 60_000)
    }

    /// Windows a report is asked for: the whole history, one not on any boundary, one UTC day, one starting inside
    /// an outage (the replay before it matters).
    private func windows(_ reader: any HistoryReading) throws -> [ReportWindow] {
        let start = Self.endMs - 2 * Self.dayMs
        let whole = try window(start - Self.hourMs, Self.endMs + 60_000)
        let outage = try #require(try reader.report(window: whole, useRollups: false).targets.flatMap(\.outages)
            .first { $0.durationMs > 20_000 && $0.startedMs > start + 10_000 })
        return [
            whole,
            try window(start + 5_432_100, Self.endMs - 7_777_000),
            try window(start + Self.dayMs, Self.endMs),
            try window(outage.startedMs + 10_000, outage.startedMs + 3 * Self.hourMs + 123),
        ]
    }

    private func rollupsGiveTheRawNumbers(_ store: StoreUnderTest) throws {
        let rounds = try seed(store)
        let reader = try store.openReader()
        let windows = try windows(reader)
        for window in windows {
            expectSameNumbers(try reader.report(window: window), try reader.report(window: window, useRollups: false),
                              "\(engine) \(window.sinceMs)")
        }
        // What keeps long reports fast: most rounds are read as spans (a regression here reads every round).
        let method = try reader.report(window: windows[0]).method
        #expect(method.rollupSpans > 0 && method.rawRounds * 20 < rounds, "\(method) of \(rounds) rounds")

        // A loose stretch decodes to exactly the rounds of its slots, failures included.
        try reader.withSnapshot { snapshot in
            #expect(!snapshot.rollupLevels.isEmpty)
            guard snapshot.hasLooseStretches else { return }
            let stretches = try snapshot.looseStretches(from: windows[0].sinceMs, until: windows[0].untilMs)
            #expect(stretches.count > 10)
            var failures = 0
            for stretch in stretches {
                let key = stretch.key
                var raw: [RoundRecord] = []
                try snapshot.forEachRound(in: [SlotStretch(key.firstMs..<(key.lastMs + 1), targetId: key.targetId)],
                                          of: (key.targetId, key.runId)) { raw += $0.map(\.round) }
                let decoded = try snapshot.decode(stretch)
                #expect(decoded == raw && decoded.count == stretch.rounds, "stretch at \(key.firstMs)")
                failures += decoded.flatMap(\.attempts).filter { !$0.succeeded }.count
            }
            #expect(failures > 0, "the stretches hold failures with their texts")
        }

        // Maintenance annotated afterwards moves time out of spans exactly as out of rounds.
        let start = Self.endMs - 2 * Self.dayMs
        try store.openWriter().annotateMaintenance(targetName: nil, fromMs: start + 3_000_000,
                                                   toMs: start + 9_100_500, note: "upgrade", createdMs: Self.endMs)
        let reread = try store.openReader()
        expectSameNumbers(try reread.report(window: windows[0]), try reread.report(window: windows[0], useRollups: false),
                          "\(engine) maintenance")
    }

    /// Two vantages record one target through the same hours, each with an outage of its own. `b` crashes in the
    /// middle of a ten-minute span, so its last rounds are in no span of its own, while `a`'s spans and closing
    /// stretch cover that time: the report must still read `b`'s rounds there.
    private func vantagesFromRollups(_ store: StoreUnderTest) throws {
        let writer = try store.openWriter()
        let target = try scheduled("flow-a")
        let start = Self.endMs - 3 * Self.hourMs
        func record(_ vantage: String, offsetMs: Int64, untilMs: Int64, down: Range<Int64>, stops: Bool) throws {
            let (runId, ids) = try writer.beginRun(
                startedMs: start + offsetMs, host: "host-\(vantage)", vantage: vantage, pid: 1, version: "t",
                targets: [target], exclusive: true)
            var machine = StateMachine()
            var batch: [RecordedRound] = []
            var slotMs = start + offsetMs
            while slotMs < untilMs {
                let failed = down.contains(slotMs)
                let round = RoundRecord(
                    scheduledMs: slotMs, verdict: failed ? .down : .up, durationUs: 2_000,
                    attempts: [AttemptRecord(number: 1, startedMs: slotMs, durationUs: 2_000, rawCode: failed ? 14 : nil,
                                             failure: failed ? FailureDetail(.refused, message: "refused") : nil)])
                batch.append(RecordedRound(targetId: ids[0], round: round, transition: machine.observe(round)))
                slotMs += 1_000
            }
            try writer.append(batch, runId: runId, heartbeatMs: slotMs - 1_000)
            if stops { try writer.finishRun(runId, stoppedMs: slotMs) }
        }
        try record("a", offsetMs: 0, untilMs: Self.endMs - Self.hourMs,
                   down: (start + 1_800_000)..<(start + 1_860_000), stops: true)
        try record("b", offsetMs: 300, untilMs: Self.endMs - Self.hourMs - 25 * 60_000,
                   down: (start + 3_000_000)..<(start + 3_030_000), stops: false)
        let reader = try store.openReader()
        let window = try window(start - Self.hourMs, Self.endMs)
        let rolled = try reader.report(window: window)
        let raw = try reader.report(window: window, useRollups: false)
        #expect(rolled.method.rollupSpans > 0, "\(rolled.method)")
        expectSameNumbers(rolled, raw, "\(engine) combined")
        // Each vantage's account side by side, as a report of its own.
        var rolledAccounts = rolled, rawAccounts = raw
        rolledAccounts.targets = try #require(rolled.targets.first?.vantages)
        rawAccounts.targets = try #require(raw.targets.first?.vantages)
        #expect(rolledAccounts.targets.map(\.vantage) == ["a", "b"])
        expectSameNumbers(rolledAccounts, rawAccounts, "\(engine) each vantage")
        let bRounds = (Self.endMs - Self.hourMs - 25 * 60_000 - (start + 300) + 999) / 1_000
        #expect(rolledAccounts.targets.last?.rounds.total == Int(bRounds))
    }

    private func pruneKeepsTheNumbers(_ store: StoreUnderTest) throws {
        _ = try seed(store)
        let reader = try store.openReader()
        let windows = try windows(reader)
        let raw = try windows.map { try reader.report(window: $0, useRollups: false) }
        let transitions = try reader.withSnapshot { try $0.transitions(in: Int64.min..<Int64.max) }
        #expect(try reader.withSnapshot { try $0.prunedBeforeMs() } == nil)

        let horizon = Self.endMs - 6 * Self.hourMs
        let result = try store.openWriter().prune(beforeMs: horizon, nowMs: Self.endMs)
        #expect(result.rounds > 3 * 30 * 720 && result.attempts > 0, "\(result)")
        let after = try store.openReader()
        for (window, rawReport) in zip(windows, raw) {
            expectSameNumbers(try after.report(window: window), rawReport, exactCounts: false,
                              "\(engine) pruned \(window.sinceMs)")
        }
        #expect(try after.withSnapshot { try $0.prunedBeforeMs() } == horizon)
        #expect(try after.withSnapshot { try $0.transitions(in: Int64.min..<Int64.max) } == transitions,
                "transitions are evidence and stay")
        #expect(try after.rawRoundsPrunedBefore(windows[0]) == horizon)
        let recent = try window(horizon, Self.endMs)
        #expect(try after.rawRoundsPrunedBefore(recent) == nil)
        #expect(try after.timeline(window: windows[2], target: nil).roundsPrunedBeforeMs == horizon)
        #expect(try store.openWriter().prune(beforeMs: horizon, nowMs: Self.endMs).rounds == 0,
                "a second prune finds nothing more")
    }

    private func snapshotStaysStill(_ store: StoreUnderTest) throws {
        let writer = try store.openWriter()
        let (run, ids) = try writer.beginRun(startedMs: 0, host: "h", pid: 1, version: "t",
                                             targets: [try scheduled("flow-a")])
        let rounds = { (slots: Range<Int64>) in
            slots.map { RecordedRound(targetId: ids[0], round: RoundRecord(scheduledMs: $0 * 1_000, verdict: .up),
                                      transition: nil) }
        }
        try writer.append(rounds(0..<10), runId: run, heartbeatMs: 10_000)
        let everything = [SlotStretch(Int64.min..<Int64.max, targetId: nil)]
        let reader = try store.openReader()
        let (before, during) = try reader.withSnapshot { snapshot in
            var seen = 0
            try snapshot.forEachRound(in: everything) { seen += $0.count }
            // The recorder commits beside the open snapshot, which does not see it.
            try writer.append(rounds(10..<20), runId: run, heartbeatMs: 20_000)
            var again = 0
            try snapshot.forEachRound(in: everything) { again += $0.count }
            return (seen, (again, try snapshot.runs().map(\.heartbeatMs)))
        }
        #expect(before == 10 && during.0 == 10 && during.1 == [10_000])
        var now = 0
        try reader.withSnapshot { try $0.forEachRound(in: everything) { now += $0.count } }
        #expect(now == 20, "the next snapshot sees it")
    }
}
