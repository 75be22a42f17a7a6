/// One vantage's finished account of a target, with what combining it with the others needs beyond its report.
struct VantageAccount {
    /// The vantage's own report of the target (its ``TargetReport/vantage`` set).
    var report: TargetReport
    /// Where the vantage had a fresh verdict within the window, in order and disjoint (maintenance not taken out).
    var evidence: [EvidenceStretch]
    /// Its latencies, kept whole so the combined view's percentiles are of every vantage's attempts.
    var success: LatencyDistribution
    var failure: LatencyDistribution
    var bucketLatencies: [LatencyDistribution]
}

/// A stretch of time one round's (or span's) verdict holds.
struct EvidenceStretch {
    var range: Range<Int64>
    var verdict: RoundVerdict
}

/// The combined view of one target recorded from several vantages (docs/semantics.md §9): moment by moment, down
/// when every vantage with a fresh verdict says down, up when all say up, partial when they disagree, unknown when
/// none has one. Outages of the combined view are where some vantage is in an outage and none sees the target up;
/// partial outages are where some are in an outage and others see it up.
struct VantageCombination {
    let window: ReportWindow
    /// The target's maintenance, disjoint and in order (the same for every vantage).
    let maintenanceSpans: [(fromMs: Int64, toMs: Int64)]

    /// What a stretch of the sweep is, for the outage lists.
    private enum Trouble { case down, partial }

    /// The combined report of `accounts` (two or more, by vantage name), with each one kept in
    /// ``TargetReport/vantages``; `gaps` are the stretches no vantage recorded.
    func combine(_ accounts: [VantageAccount], gaps: [RecorderGap]) -> TargetReport {
        var combined = accounts[0].report
        combined.vantage = nil
        combined.vantages = accounts.map(\.report)
        combined.gaps = gaps
        combined.policy = accounts.compactMap(\.report.policy).last
        (combined.upMs, combined.downMs, combined.partialMs) = (0, 0, 0)
        combined.outages = []
        combined.rounds = RoundCounts()
        combined.attempts = AttemptCounts()
        var success = LatencyDistribution()
        var failure = LatencyDistribution()
        var bucketLatencies = accounts[0].bucketLatencies.map { _ in LatencyDistribution() }
        for account in accounts {
            combined.rounds.total += account.report.rounds.total
            combined.rounds.up += account.report.rounds.up
            combined.rounds.down += account.report.rounds.down
            combined.rounds.skipped += account.report.rounds.skipped
            combined.rounds.flaky += account.report.rounds.flaky
            combined.attempts.total += account.report.attempts.total
            combined.attempts.ok += account.report.attempts.ok
            success.merge(account.success)
            failure.merge(account.failure)
            for (index, bucket) in account.bucketLatencies.enumerated() { bucketLatencies[index].merge(bucket) }
        }
        combined.successLatency = success.summary
        combined.failureLatency = failure.summary
        combined.latencyStrip = bucketLatencies.map(\.summary)
        sweep(accounts, into: &combined)
        return combined
    }

    /// Walks the window once over every boundary of every vantage's evidence and outages, counting the combined
    /// time per state and strip bucket and listing the combined and partial outages.
    private func sweep(_ accounts: [VantageAccount], into combined: inout TargetReport) {
        let outages = accounts.map { $0.report.outages.sorted { $0.startedMs < $1.startedMs } }
        func clamp(_ ms: Int64) -> Int64 { min(max(ms, window.sinceMs), window.untilMs) }
        var points: Set<Int64> = [window.sinceMs, window.untilMs]
        for (index, account) in accounts.enumerated() {
            for stretch in account.evidence {
                points.insert(clamp(stretch.range.lowerBound))
                points.insert(clamp(stretch.range.upperBound))
            }
            for outage in outages[index] {
                points.insert(clamp(outage.startedMs))
                points.insert(clamp(outage.endedMs ?? outage.lastEvidenceMs))
            }
        }
        var bucketMs = Array(repeating: (up: Int64(0), down: Int64(0), partial: Int64(0)), count: window.stripBuckets)
        var nextEvidence = Array(repeating: 0, count: accounts.count)
        var nextOutage = Array(repeating: 0, count: accounts.count)
        var open: (trouble: Trouble, startMs: Int64, endMs: Int64, failing: Set<String>, reachable: Set<String>,
                   seen: [Outage], last: [Outage])?
        func close() {
            guard let stretch = open else { return }
            open = nil
            if stretch.trouble == .down {
                combined.outages.append(outage(stretch.startMs, stretch.endMs, failing: stretch.failing,
                                               seen: stretch.seen, last: stretch.last))
            } else {
                let wide = Set(zip(accounts, outages).flatMap { account, list in
                    stretch.seen.contains(where: { seen in list.contains(seen) && seen.vantageWide })
                        ? [account.report.vantage ?? ""] : []
                })
                combined.partialOutages.append(PartialOutage(
                    startedMs: stretch.startMs, endedMs: stretch.endMs, failing: stretch.failing.sorted(),
                    reachable: stretch.reachable.sorted(), vantageWide: wide.intersection(stretch.failing).sorted()))
            }
        }
        let sorted = points.sorted()
        for (fromMs, toMs) in zip(sorted, sorted.dropFirst()) {
            var (upVotes, downVotes) = (0, 0)
            var failing: Set<String> = []
            var reachable: Set<String> = []
            var inOutage: [Outage] = []
            for (index, account) in accounts.enumerated() {
                let name = account.report.vantage ?? ""
                let evidence = account.evidence
                while nextEvidence[index] < evidence.count, evidence[nextEvidence[index]].range.upperBound <= fromMs {
                    nextEvidence[index] += 1
                }
                let verdict = nextEvidence[index] < evidence.count
                    && evidence[nextEvidence[index]].range.lowerBound <= fromMs
                    ? evidence[nextEvidence[index]].verdict : nil
                let list = outages[index]
                while nextOutage[index] < list.count,
                      clamp(list[nextOutage[index]].endedMs ?? list[nextOutage[index]].lastEvidenceMs) <= fromMs {
                    nextOutage[index] += 1
                }
                if verdict == .up { upVotes += 1 } else if verdict == .down { downVotes += 1 }
                if nextOutage[index] < list.count, clamp(list[nextOutage[index]].startedMs) <= fromMs {
                    failing.insert(name)
                    inOutage.append(list[nextOutage[index]])
                } else if verdict == .up {
                    reachable.insert(name)
                }
            }
            let state: RoundVerdict? = upVotes > 0 && downVotes > 0 ? nil : upVotes > 0 ? .up
                : downVotes > 0 ? .down : .skipped
            count(state, fromMs, toMs, into: &combined, buckets: &bucketMs)
            let trouble: Trouble? = failing.isEmpty ? nil : reachable.isEmpty ? .down : .partial
            if let current = open, current.trouble == trouble, current.endMs == fromMs {
                open?.endMs = toMs
                open?.failing.formUnion(failing)
                open?.reachable.formUnion(reachable)
                open?.seen.append(contentsOf: inOutage.filter { !current.seen.contains($0) })
                open?.last = inOutage
            } else {
                close()
                if let trouble {
                    open = (trouble, fromMs, toMs, failing, reachable, inOutage, inOutage)
                }
            }
        }
        close()
        // Vantages probe at moments of their own, so one sees an outage begin or end up to an interval before the
        // other: such a sliver at a combined outage's edge is not listed as a partial outage (its time stays partial).
        let intervalMs = accounts.compactMap(\.report.policy?.intervalMs).max() ?? 0
        let edges = Set(combined.outages.flatMap { [$0.startedMs, $0.endedMs].compactMap { $0 } })
        combined.partialOutages.removeAll { partial in
            partial.durationMs < intervalMs && (edges.contains(partial.endedMs) || edges.contains(partial.startedMs))
        }
        combined.unknownMs = window.lengthMs - combined.upMs - combined.downMs - combined.partialMs
            - combined.maintenanceMs
        combined.strip = (0..<window.stripBuckets).map { bucket in
            let range = window.stripBucketRange(bucket)
            return TargetReport.BucketState.worst(
                lengthMs: Int64(range.count), upMs: bucketMs[bucket].up, downMs: bucketMs[bucket].down,
                partialMs: bucketMs[bucket].partial, maintenanceMs: maintenanceOverlapMs(range))
        }
    }

    /// Counts `[fromMs, toMs)` as combined `state` (`nil`: partial; `.skipped`: unknown), less maintenance.
    private func count(_ state: RoundVerdict?, _ fromMs: Int64, _ toMs: Int64, into combined: inout TargetReport,
                       buckets: inout [(up: Int64, down: Int64, partial: Int64)]) {
        guard state != .skipped else { return }
        combined.upMs += state == .up ? toMs - fromMs - maintenanceOverlapMs(fromMs..<toMs) : 0
        combined.downMs += state == .down ? toMs - fromMs - maintenanceOverlapMs(fromMs..<toMs) : 0
        combined.partialMs += state == nil ? toMs - fromMs - maintenanceOverlapMs(fromMs..<toMs) : 0
        for bucket in window.stripBuckets(overlapping: fromMs, toMs) {
            let range = window.stripBucketRange(bucket)
            let part = max(fromMs, range.lowerBound)..<max(max(fromMs, range.lowerBound), min(toMs, range.upperBound))
            let overlap = Int64(part.count) - maintenanceOverlapMs(part)
            switch state {
            case .up?: buckets[bucket].up += overlap
            case .down?: buckets[bucket].down += overlap
            default: buckets[bucket].partial += overlap
            }
        }
    }

    /// A combined outage over `[startMs, endMs)`: it begins where the earliest vantage's outage began when the
    /// window's start cuts it, is ongoing when the outage that held it to its end is, and takes the first failure
    /// and layer of the earliest outage it joins.
    private func outage(_ startMs: Int64, _ endMs: Int64, failing: Set<String>, seen: [Outage], last: [Outage])
        -> Outage
    {
        let earliest = seen.min { $0.startedMs < $1.startedMs }!
        let startedMs = startMs == window.sinceMs ? min(startMs, earliest.startedMs) : startMs
        let ongoing = last.contains { $0.endedMs == nil && min($0.lastEvidenceMs, window.untilMs) == endMs }
            || endMs == window.untilMs && last.contains { $0.endedMs == nil }
        let endedMs: Int64? = ongoing ? nil
            : endMs == window.untilMs ? last.compactMap(\.endedMs).min() ?? endMs : endMs
        var outage = Outage(
            startedMs: startedMs,
            confirmedMs: max(startedMs, seen.map(\.confirmedMs).min() ?? startedMs), endedMs: endedMs,
            lastEvidenceMs: min(window.untilMs, max(endMs, seen.map(\.lastEvidenceMs).max() ?? endMs)),
            failedRounds: seen.reduce(0) { $0 + $1.failedRounds }, firstFailure: earliest.firstFailure,
            layer: earliest.layer)
        outage.vantages = failing.sorted()
        outage.vantageWide = seen.allSatisfy(\.vantageWide)
        return outage
    }

    private func maintenanceOverlapMs(_ range: Range<Int64>) -> Int64 {
        maintenanceSpans.reduce(0) { $0 + max(0, min(range.upperBound, $1.toMs) - max(range.lowerBound, $1.fromMs)) }
    }
}

extension ReportWindow {
    /// The milliseconds of strip bucket `index`: equal slices of the window, the last one taking the remainder.
    func stripBucketRange(_ index: Int) -> Range<Int64> {
        let size = stripBucketMs
        let start = sinceMs + Int64(index) * size
        let end = index == stripBuckets - 1 ? untilMs : min(untilMs, start + size)
        return start..<max(start, end)
    }

    /// The strip buckets `[start, end)` touches.
    func stripBuckets(overlapping start: Int64, _ end: Int64) -> ClosedRange<Int> {
        let last = stripBuckets - 1
        let first = min(last, Int((start - sinceMs) / stripBucketMs))
        return first...max(first, min(last, Int((end - 1 - sinceMs) / stripBucketMs)))
    }
}

extension TargetReport.BucketState {
    /// What a bucket of `lengthMs` shows: down if any of it was down, else partial, else unknown, else
    /// maintenance, else up (nothing short hides).
    static func worst(lengthMs: Int64, upMs: Int64, downMs: Int64, partialMs: Int64 = 0, maintenanceMs: Int64)
        -> Self
    {
        if lengthMs == 0 { return .unknown }
        if downMs > 0 { return .down }
        if partialMs > 0 { return .partial }
        if lengthMs - upMs - downMs - partialMs - maintenanceMs > 0 { return .unknown }
        return maintenanceMs > 0 ? .maintenance : .up
    }
}
