/// Builds a ``HistoryReport`` from stored history, streaming: `begin` with the runs and targets, `add` every
/// round in time order (rounds before the window only replay state), then `finish`.
///
/// The rules (docs/semantics.md §4–§5): a round's verdict holds from its slot until the target's next round
/// starts, but never past the end of its recorder run and never longer than `2 × interval + its own duration`;
/// every other millisecond of the window is unknown. Outages replay the recorder's own ``StateMachine`` per
/// run, and an outage is not closed by the recorder being offline: only a recovering streak closes it.
public struct ReportBuilder: Sendable {
    /// A run without a stop mark whose heartbeat is older than this (plus two of its intervals) has crashed.
    public static let heartbeatGraceMs: Int64 = 10_000

    /// The window being reported.
    public let window: ReportWindow
    /// Each run's start, effective end and how it ended, judged once at `begin`.
    private var runSpans: [Int64: (startMs: Int64, endMs: Int64, ending: RecorderRunSpan.Ending)] = [:]
    /// The targets' running totals, one per target and vantage (docs/semantics.md §9), found by
    /// ``accumulatorIndex``: an array element is changed in place, where a dictionary value would be moved out and
    /// back for every round.
    private var accumulators: [TargetAccumulator] = []
    /// The accumulator of each target's rounds of each run: the one of the run's vantage.
    private var accumulatorIndex: [TargetRun: Int] = [:]
    /// Each target's accumulators, one per vantage that recorded it, by vantage name.
    private var accumulatorsOfTarget: [Int64: [Int]] = [:]
    /// Each target's policy per run, apart from its accumulator so a lookup per round copies nothing.
    private var policies: [Int64: [Int64: ProbePolicy]] = [:]

    /// Whether each target's latency per strip bucket is kept (``TargetReport/latencyStrip``, which only the HTML
    /// chart draws). Then a reader gives no rollup span longer than a bucket in the window unless its rounds are
    /// gone, so each bucket shows its own attempts.
    public let keepsLatencyStrip: Bool

    /// Starts a report of `window`, with each target's ``TargetReport/latencyStrip`` if `latencyStrip`.
    public init(window: ReportWindow, latencyStrip: Bool = false) {
        self.window = window
        keepsLatencyStrip = latencyStrip
    }

    /// The latest a round's verdict can hold, whatever comes after it: its slot plus the staleness cap,
    /// `2 × interval + its duration` (docs/semantics.md §5).
    public static func verdictCapMs(_ round: RoundRecord, intervalMs: Int64) -> Int64 {
        round.scheduledMs + 2 * intervalMs + round.durationUs / 1_000
    }

    /// The longest a round of `policy` can hold its verdict: the staleness cap with the longest possible round.
    public static func stalenessBoundMs(_ policy: ProbePolicy) -> Int64 {
        2 * policy.intervalMs + policy.longestRoundMs
    }

    /// Stretches of the window when the recorder could not write.
    public var storageFaults: [StorageFault] = []

    /// Registers the recorder runs, the targets and the maintenance windows: once, before any round.
    public mutating func begin(runs: [RecorderRunSpan], targets: [StoredTarget], maintenance: [MaintenanceWindow] = []) {
        let vantageOfRun = Dictionary(runs.map { ($0.id, $0.vantage) }, uniquingKeysWith: { first, _ in first })
        for run in runs {
            let longestInterval = targets.compactMap { $0.policies[run.id]?.intervalMs }.max() ?? 0
            let ending = run.ending(nowMs: window.nowMs, staleAfterMs: Self.heartbeatGraceMs + 2 * longestInterval)
            let endMs = ending == .running ? max(run.heartbeatMs, window.nowMs) : (run.stoppedMs ?? run.heartbeatMs)
            runSpans[run.id] = (run.startedMs, endMs, ending)
        }
        for target in targets {
            // Listed with their real start and end, as outages are; only their time inside the window counts.
            let windows = maintenance
                .filter { ($0.targetId == nil || $0.targetId == target.id) && $0.toMs > window.sinceMs
                    && $0.fromMs < window.untilMs }
                .sorted { ($0.fromMs, $0.toMs, $0.id) < ($1.fromMs, $1.toMs, $1.id) }
            // One account per vantage: each is §5 over that vantage's runs alone.
            let runsByVantage = Dictionary(grouping: target.policies.keys) { vantageOfRun[$0] ?? "" }
            accumulatorsOfTarget[target.id] = runsByVantage.sorted { $0.key < $1.key }.map { vantage, runIds in
                var own = target
                own.policies = target.policies.filter { runIds.contains($0.key) }
                // Each vantage's account names the url it last probed the target through.
                if runsByVantage.count > 1, let latest = runIds.max(), let url = target.runUrls[latest] {
                    own.url = url
                }
                for runId in runIds { accumulatorIndex[TargetRun(targetId: target.id, runId: runId)] = accumulators.count }
                accumulators.append(TargetAccumulator(
                    target: own, vantage: vantage, window: window, maintenance: windows,
                    keepsLatencyStrip: keepsLatencyStrip, keepsEvidence: runsByVantage.count > 1))
                return accumulators.count - 1
            }
            policies[target.id] = target.policies
        }
    }

    /// Adds one stored round. Rounds must come in slot order (ties in any order).
    public mutating func add(_ stored: StoredRound) {
        guard let policy = policies[stored.targetId]?[stored.runId],
            let runEnd = runSpans[stored.runId]?.endMs,
            let index = accumulatorIndex[TargetRun(targetId: stored.targetId, runId: stored.runId)]
        else { return }
        rawRounds += 1
        accumulators[index].add(stored, policy: policy, runEndMs: runEnd)
    }

    /// Adds a rollup span in place of the rounds it covers, in slot order with the target's rounds.
    ///
    /// - parameter roundsAreGone: the span's rounds were pruned, so it stands for them even when the window's
    ///   edge cuts it (its time is split exactly, its rounds counted from the grid, its other counts pro rata) and
    ///   even when the replay has not seen the run yet.
    /// - returns: `false` when the replayed state does not continue the span's streak (the span assumes the
    ///   recorder's state): then nothing was added, and the caller feeds the span's rounds instead.
    public mutating func add(_ span: RollupSpan, roundsAreGone: Bool = false) -> Bool {
        guard let policy = policies[span.targetId]?[span.runId],
            let runEnd = runSpans[span.runId]?.endMs,
            let index = accumulatorIndex[TargetRun(targetId: span.targetId, runId: span.runId)]
        else { return true }
        guard accumulators[index].add(span, policy: policy, runEndMs: runEnd, roundsAreGone: roundsAreGone)
        else { return false }
        rollupSpans += 1
        return true
    }

    /// Raw rounds and rollup spans added so far, for the report's method.
    private var rawRounds = 0
    private var rollupSpans = 0

    /// Closes every open segment and returns the report, targets by name; a target recorded from several
    /// vantages gets their combined view, with each vantage's own account in it (docs/semantics.md §9).
    public func finish() -> HistoryReport {
        var accounts = accumulators.map { accumulator in
            var account = accumulator.finish()
            account.report.gaps = gaps(for: accumulator.target)
            return account
        }
        if Set(accumulators.map(\.vantage)).count > 1 { flagVantageWideOutages(&accounts) }
        let targets = accumulatorsOfTarget.values
            .filter { !$0.isEmpty }
            .map { indices -> TargetReport in
                guard indices.count > 1 else { return accounts[indices[0]].report }
                var union = accumulators[indices[0]].target
                for index in indices.dropFirst() { union.policies.merge(accumulators[index].target.policies) { $1 } }
                var combined = VantageCombination(window: window,
                                                  maintenanceSpans: accumulators[indices[0]].maintenanceSpans)
                    .combine(indices.map { accounts[$0] }, gaps: gaps(for: union))
                combined.url = union.runUrls.max { $0.key < $1.key }?.value ?? combined.url
                return combined
            }
            .sorted { $0.name < $1.name }
        var method = ReportMethod()
        method.rawRounds = rawRounds
        method.rollupSpans = rollupSpans
        if rollupSpans > 0 { method.source = "rollups_and_raw_rounds" }
        if accumulators.contains(where: { !$0.latenciesAreExact }) {
            method.percentiles = "nearest_rank over successful readiness attempts, from log-bucketed histograms "
                + "(within 0.5%; count, mean, stddev, min and max exact)"
        }
        return HistoryReport(generatedAtMs: window.nowMs, window: window, method: method, targets: targets,
                             storageFaults: storageFaults)
    }

    /// Flags each vantage's outages that began when every target the vantage records failed with a network class
    /// (refused, dns, connect_timeout, timeout) within the vantage's longest interval: its own network, likely.
    /// A vantage recording a single target is never flagged (nothing to compare with).
    private func flagVantageWideOutages(_ accounts: inout [VantageAccount]) {
        let network: Set<ErrorClass> = [.refused, .dns, .connectTimeout, .timeout]
        // Each account's network-class outage starts, in order: each check is a binary search, so a month of
        // outages over many targets is not compared pair by pair.
        let networkStarts = accounts.map { account in
            account.report.outages.filter { $0.firstFailure.map { network.contains($0.errorClass) } == true }
                .map(\.startedMs).sorted()
        }
        for members in Dictionary(grouping: accounts.indices, by: { accumulators[$0].vantage }).values
        where members.count > 1 {
            let withinMs = members.flatMap { accumulators[$0].target.policies.values.map(\.intervalMs) }.max() ?? 0
            for member in members {
                for (position, outage) in accounts[member].report.outages.enumerated() {
                    accounts[member].report.outages[position].vantageWide = members.allSatisfy { other in
                        let starts = networkStarts[other]
                        let first = starts.partitioningIndex { $0 >= outage.startedMs - withinMs }
                        return first < starts.count && starts[first] <= outage.startedMs + withinMs
                    }
                }
            }
        }
    }

    /// The window minus the union of the runs that probed `target`; each gap's cause is the run before it.
    private func gaps(for target: StoredTarget) -> [RecorderGap] {
        let spans = target.policies.keys.compactMap { runSpans[$0] }.sorted { $0.startMs < $1.startMs }
        var gaps: [RecorderGap] = []
        var coveredUntil = window.sinceMs
        var cause = RecorderGap.Cause.notYetRecorded
        func gap(until endMs: Int64) {
            let end = min(endMs, window.untilMs)
            if end > coveredUntil { gaps.append(RecorderGap(startedMs: coveredUntil, endedMs: end, cause: cause)) }
        }
        for (start, end, ending) in spans {
            if end <= window.sinceMs || start >= window.untilMs {
                if end <= window.sinceMs { cause = ending == .clean ? .recorderStopped : .recorderCrashed }
                continue
            }
            gap(until: start)
            if end > coveredUntil {
                coveredUntil = end
                cause = ending == .clean ? .recorderStopped : .recorderCrashed
            }
        }
        gap(until: window.untilMs)
        return gaps
    }
}

/// One target's running totals while rounds stream in.
private struct TargetAccumulator: Sendable {
    let target: StoredTarget
    /// The vantage whose runs this account counts.
    let vantage: String
    let window: ReportWindow
    /// Whether the stretches of fresh verdicts are kept, for combining with other vantages.
    private let keepsEvidence: Bool
    private var evidence: [EvidenceStretch] = []
    private var report: TargetReport
    /// The last round that ran, whose verdict holds until the next one starts.
    private var open: (round: RoundRecord, runId: Int64, capEndMs: Int64)?
    private var machine: (runId: Int64, state: StateMachine)?
    private var outage: Outage?
    private var downStreak: (count: Int, layer: Outage.Layer?) = (0, nil)
    private var lastEvidenceMs: Int64?
    /// The union of the target's maintenance windows within the report's window, disjoint and in order.
    let maintenanceSpans: [(fromMs: Int64, toMs: Int64)]
    /// Up and down milliseconds per strip bucket.
    private var bucketUpMs: [Int64]
    private var bucketDownMs: [Int64]
    /// Successful readiness latencies per strip bucket, by slot, for the HTML latency chart (empty when not kept).
    private var bucketLatencies: [LatencyDistribution]
    private var successLatencies = LatencyDistribution()
    private var failureLatencies = LatencyDistribution()

    /// Whether every latency summary of this target is exact (no rollup histogram, not too many values).
    var latenciesAreExact: Bool { successLatencies.isExact && failureLatencies.isExact }

    init(target: StoredTarget, vantage: String, window: ReportWindow, maintenance: [MaintenanceWindow],
         keepsLatencyStrip: Bool, keepsEvidence: Bool) {
        self.target = target
        self.vantage = vantage
        self.window = window
        self.keepsEvidence = keepsEvidence
        bucketUpMs = Array(repeating: 0, count: window.stripBuckets)
        bucketDownMs = Array(repeating: 0, count: window.stripBuckets)
        bucketLatencies = keepsLatencyStrip
            ? Array(repeating: LatencyDistribution(), count: window.stripBuckets) : []
        report = TargetReport(name: target.name, kind: target.kind, url: target.url, labels: target.labels)
        if keepsEvidence { report.vantage = vantage }
        report.maintenance = maintenance.filter { $0.deletedMs == nil }
        report.deletedMaintenance = maintenance.filter { $0.deletedMs != nil }
        var spans: [(fromMs: Int64, toMs: Int64)] = []
        for maintenance in report.maintenance {
            let (fromMs, toMs) = (max(maintenance.fromMs, window.sinceMs), min(maintenance.toMs, window.untilMs))
            if let last = spans.last, fromMs <= last.toMs {
                spans[spans.count - 1].toMs = max(last.toMs, toMs)
            } else {
                spans.append((fromMs, toMs))
            }
        }
        maintenanceSpans = spans
        report.maintenanceMs = spans.reduce(0) { $0 + $1.toMs - $1.fromMs }
    }


    /// How much of `[start, end)` is maintenance.
    private func maintenanceOverlapMs(_ start: Int64, _ end: Int64) -> Int64 {
        maintenanceSpans.reduce(0) { $0 + max(0, min(end, $1.toMs) - max(start, $1.fromMs)) }
    }

    mutating func add(_ stored: StoredRound, policy: ProbePolicy, runEndMs: Int64) {
        let round = stored.round
        let inWindow = round.scheduledMs >= window.sinceMs && round.scheduledMs < window.untilMs
        if inWindow {
            count(round)
            report.policy = policy
        }
        guard round.verdict != .skipped else { return }
        closeOpenSegment(at: round.scheduledMs)
        holdOpen(round, runId: stored.runId, policy: policy, runEndMs: runEndMs)
        track(round, runId: stored.runId, policy: policy)
    }

    /// The account with every open segment closed, and what combining it with other vantages needs.
    func finish() -> VantageAccount {
        var copy = self
        copy.closeOpenSegment(at: nil)
        var report = copy.report
        report.unknownMs = window.lengthMs - report.upMs - report.downMs - report.maintenanceMs
        report.strip = (0..<window.stripBuckets).map { bucket in
            let range = window.stripBucketRange(bucket)
            return .worst(lengthMs: Int64(range.count), upMs: copy.bucketUpMs[bucket],
                          downMs: copy.bucketDownMs[bucket],
                          maintenanceMs: copy.maintenanceOverlapMs(range.lowerBound, range.upperBound))
        }
        if var ongoing = copy.outage {
            ongoing.lastEvidenceMs = max(ongoing.startedMs, min(copy.lastEvidenceMs ?? ongoing.startedMs, window.untilMs))
            report.outages.append(ongoing)
        }
        report.outages.removeAll { ($0.endedMs ?? Int64.max) <= window.sinceMs || $0.startedMs >= window.untilMs }
        report.successLatency = copy.successLatencies.summary
        report.failureLatency = copy.failureLatencies.summary
        report.latencyStrip = copy.bucketLatencies.map(\.summary)
        return VantageAccount(report: report, evidence: copy.evidence, success: copy.successLatencies,
                              failure: copy.failureLatencies, bucketLatencies: copy.bucketLatencies)
    }

    /// Gives the open round's verdict the time up to the next round (or its cap), clipped to the window.
    private mutating func closeOpenSegment(at nextStartMs: Int64?) {
        guard let (round, _, capEndMs) = open else { return }
        open = nil
        let endMs = min(capEndMs, nextStartMs ?? Int64.max)
        addEvidence(round.verdict, from: round.scheduledMs, to: endMs)
    }

    /// Counts `[fromMs, toMs)` as `verdict`'s time: clipped to the window, less maintenance, per strip bucket.
    private mutating func addEvidence(_ verdict: RoundVerdict, from fromMs: Int64, to toMs: Int64) {
        lastEvidenceMs = max(lastEvidenceMs ?? toMs, toMs)
        let start = max(fromMs, window.sinceMs)
        let end = min(toMs, window.untilMs)
        guard end > start else { return }
        if keepsEvidence {
            if let last = evidence.last, last.verdict == verdict, last.range.upperBound == start {
                evidence[evidence.count - 1].range = last.range.lowerBound..<end
            } else {
                evidence.append(EvidenceStretch(range: start..<end, verdict: verdict))
            }
        }
        let evidenceMs = end - start - maintenanceOverlapMs(start, end)
        if verdict == .up { report.upMs += evidenceMs } else { report.downMs += evidenceMs }
        for bucket in window.stripBuckets(overlapping: start, end) {
            let range = window.stripBucketRange(bucket)
            let from = max(start, range.lowerBound)
            let to = min(end, range.upperBound)
            let overlap = to - from - maintenanceOverlapMs(from, to)
            if verdict == .up { bucketUpMs[bucket] += overlap } else { bucketDownMs[bucket] += overlap }
        }
    }

    private mutating func count(_ round: RoundRecord) {
        report.rounds.total += 1
        switch round.verdict {
        case .skipped: report.rounds.skipped += 1
        case .up:
            report.rounds.up += 1
            if round.attempts.contains(where: { $0.role == .readiness && !$0.succeeded }) {
                report.rounds.flaky += 1
            }
        case .down: report.rounds.down += 1
        }
        // The attempts in place, not `readinessAttempts` (a filtered copy per round).
        for attempt in round.attempts where attempt.role == .readiness {
            report.attempts.total += 1
            if attempt.succeeded {
                report.attempts.ok += 1
                successLatencies.add(attempt.durationUs)
                if !bucketLatencies.isEmpty {
                    bucketLatencies[window.stripBuckets(overlapping: round.scheduledMs, round.scheduledMs + 1).lowerBound]
                        .add(attempt.durationUs)
                }
            } else {
                failureLatencies.add(attempt.durationUs)
            }
        }
    }

    /// Adds a span (see ``ReportBuilder/add(_:roundsAreGone:)``); `false` when the replay is not in the span's
    /// steady state.
    mutating func add(_ span: RollupSpan, policy: ProbePolicy, runEndMs: Int64, roundsAreGone: Bool) -> Bool {
        let steady = span.verdict == .up ? outage == nil : outage != nil && downStreak.count > 0
        if machine?.runId != span.runId || machine?.state.isSteady(span.verdict) != true {
            // Only a span whose earlier rounds are gone may stand in for the replay's start (an up span: a down
            // one's outage start is never pruned, since the rounds that start an outage are never in a span).
            guard roundsAreGone, span.verdict == .up, outage == nil else { return false }
            machine = (span.runId, StateMachine.steady(.up, since: span.firstMs,
                                                       failureThreshold: policy.failureThreshold,
                                                       successThreshold: policy.successThreshold))
        } else if !steady {
            return false
        }
        // A span cut by the window's edge (only when its rounds were pruned) gives the window its rounds exactly,
        // from the grid, and a pro-rata share of its other counts; its latencies are the whole span's.
        let rounds = span.rounds(in: window.sinceMs..<window.untilMs)
        if rounds > 0 {
            func share(_ count: Int) -> Int {
                rounds == span.rounds ? count : Int((Double(count) * Double(rounds) / Double(span.rounds)).rounded())
            }
            report.policy = policy
            report.rounds.total += rounds
            if span.verdict == .up { report.rounds.up += rounds } else { report.rounds.down += rounds }
            report.rounds.flaky += share(span.flaky)
            report.attempts.total += share(span.attempts)
            report.attempts.ok += share(Int(span.success.count))
            successLatencies.merge(span.success)
            failureLatencies.merge(span.failure)
            // A span shorter than a bucket may still cross into the next one: its latencies go to the bucket of its
            // middle (a pruned span longer than a bucket, whose rounds are gone, too).
            if !bucketLatencies.isEmpty {
                let middle = (max(span.firstMs, window.sinceMs) + min(span.lastMs, window.untilMs - 1)) / 2
                bucketLatencies[window.stripBuckets(overlapping: middle, middle + 1).lowerBound].merge(span.success)
            }
        }
        closeOpenSegment(at: span.firstMs)
        addEvidence(span.verdict, from: span.firstMs, to: min(span.lastMs, runEndMs))
        if span.verdict == .down {
            downStreak.count += span.rounds
            outage?.failedRounds += span.rounds
        }
        holdOpen(RoundRecord(scheduledMs: span.lastMs, verdict: span.verdict, durationUs: span.lastDurationUs),
                 runId: span.runId, policy: policy, runEndMs: runEndMs)
        return true
    }

    /// Makes `round` the one whose verdict holds until the next round starts, for at most its staleness cap
    /// (`2 × interval + its duration`) and never past the end of its run.
    private mutating func holdOpen(_ round: RoundRecord, runId: Int64, policy: ProbePolicy, runEndMs: Int64) {
        open = (round, runId, min(ReportBuilder.verdictCapMs(round, intervalMs: policy.intervalMs), runEndMs))
    }

    /// Replays the recorder's state machine (fresh for every run) and keeps outages open across runs.
    private mutating func track(_ round: RoundRecord, runId: Int64, policy: ProbePolicy) {
        if machine?.runId != runId {
            machine = (runId, StateMachine(
                failureThreshold: policy.failureThreshold, successThreshold: policy.successThreshold))
        }
        if round.verdict == .down {
            if downStreak.count == 0 { downStreak.layer = Outage.Layer(of: round) }
            downStreak.count += 1
            outage?.failedRounds += 1
        } else {
            downStreak = (0, nil)
        }
        guard let transition = machine?.state.observe(round) else { return }
        switch transition.to {
        case .down where outage == nil:
            outage = Outage(
                startedMs: transition.streakStartedMs, confirmedMs: transition.atMs, endedMs: nil,
                lastEvidenceMs: transition.atMs, failedRounds: downStreak.count, firstFailure: transition.failure,
                layer: downStreak.layer)
        case .up:
            if var closed = outage {
                closed.endedMs = transition.streakStartedMs
                report.outages.append(closed)
                outage = nil
            }
        default: break
        }
    }
}

/// A target's rounds of one run: the key of the account they count in.
private struct TargetRun: Hashable {
    var targetId: Int64
    var runId: Int64
}
