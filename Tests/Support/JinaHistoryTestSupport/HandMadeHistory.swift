public import JinaHistoryCore

/// Hand-made histories for the reporting math: one target, rounds given by slot time and verdict.
public struct HandMadeHistory {
    public var policy = try! ProbePolicy(intervalMs: 1_000, timeoutMs: 500)
    public var runs: [RecorderRunSpan] = []
    public var rounds: [StoredRound] = []
    public var maintenance: [MaintenanceWindow] = []
    public var name = "t"
    /// Further targets (ids from 2) probed by every run, named here.
    public var otherTargets: [String] = []

    /// An empty history of one target, `t`.
    public init() {}

    /// Adds a run, at `vantage` when given; `stoppedMs` nil means no clean-stop mark.
    public mutating func run(_ id: Int64, from startMs: Int64, heartbeat: Int64, stopped: Int64?,
                             vantage: String? = nil) {
        runs.append(RecorderRunSpan(id: id, startedMs: startMs, heartbeatMs: heartbeat, stoppedMs: stopped,
                                    vantage: vantage))
    }

    /// Adds rounds of `run` at `slots` with `verdict`, each lasting `durationMs`.
    public mutating func rounds(_ run: Int64, _ verdict: RoundVerdict, at slots: [Int64], durationMs: Int64 = 10,
                         failure: ErrorClass = .notReady, message: String? = nil, target: Int64 = 1) {
        for slot in slots {
            let attempt = AttemptRecord(
                number: 1, startedMs: slot, durationUs: durationMs * 1_000,
                failure: verdict == .down ? FailureDetail(failure, message: message ?? "\(failure) at \(slot)") : nil)
            rounds.append(StoredRound(
                targetId: target, runId: run,
                round: RoundRecord(scheduledMs: slot, verdict: verdict, durationUs: durationMs * 1_000,
                                   attempts: verdict == .skipped ? [] : [attempt])))
        }
    }

    /// The whole report of `[since, until)` judged at `now`.
    public func historyReport(since: Int64, until: Int64, now: Int64? = nil) throws -> HistoryReport {
        var builder = ReportBuilder(window: try ReportWindow(sinceMs: since, untilMs: until, nowMs: now ?? until),
                                    latencyStrip: true)
        let policies = Dictionary(uniqueKeysWithValues: runs.map { ($0.id, policy) })
        builder.begin(runs: runs, targets: ([name] + otherTargets).enumerated().map { index, name in
            StoredTarget(id: Int64(index + 1), name: name, kind: .flow, url: "grpc://127.0.0.1:1", policies: policies)
        }, maintenance: maintenance)
        for round in rounds.sorted(by: { $0.round.scheduledMs < $1.round.scheduledMs }) { builder.add(round) }
        return builder.finish()
    }

    /// The report of the one target of `[since, until)` judged at `now`.
    public func report(since: Int64, until: Int64, now: Int64? = nil) throws -> TargetReport {
        guard let target = try historyReport(since: since, until: until, now: now).targets.first(where: { $0.name == name })
        else {
            throw ConditionTimedOut(description: "no target")
        }
        return target
    }
}

/// Slots `from`, `from + step`, ... below `to`.
public func slots(_ from: Int64, _ to: Int64, step: Int64 = 1_000) -> [Int64] { Array(stride(from: from, to: to, by: Int(step))) }
