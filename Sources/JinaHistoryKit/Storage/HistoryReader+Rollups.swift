import GRDB

extension HistoryReader {
    /// Spans that may stand in for rounds of `[fromMs, untilMs)`, in key order.
    static let rollupSpansSQL = """
        SELECT target_id, run_id, verdict, first_ms, last_ms, last_duration_us, rounds, flaky, attempts, ok_attempts,
               ok_histogram, ok_sum_us, ok_sum_sq_us, ok_min_us, ok_max_us,
               fail_histogram, fail_sum_us, fail_sum_sq_us, fail_min_us, fail_max_us
        FROM rollup WHERE first_ms >= ? AND first_ms < ? AND last_ms >= ?
        ORDER BY first_ms, target_id, run_id
        """

    /// Feeds the builder every round of `[fromMs, window end)`, with rollup spans standing in for the rounds they
    /// cover (migrations/0004_rollups.sql), so a report of a month reads thousands of spans and the few rounds
    /// around transitions and window edges, not millions of rounds.
    ///
    /// A span is used when it lies wholly before the window (replay only) or wholly inside it; one cut by the
    /// window's edge is read as its rounds, unless those were pruned. Where raw rounds are read, every target's
    /// rows of that stretch come back and those a span already covers are dropped.
    static func feedRounds(_ db: Database, into builder: inout ReportBuilder, fromMs: Int64,
                           targets: [StoredTarget], runs: [RecorderRunSpan], useRollups: Bool) throws {
        let window = builder.window
        guard useRollups else {
            try forEachRound(db, fromMs: fromMs, untilMs: window.untilMs) { builder.add($0) }
            return
        }
        let prunedBeforeMs = try Int64.fetchOne(db, sql: "SELECT max(before_ms) FROM prune") ?? Int64.min
        let spans = try Row.fetchAll(
            db, sql: rollupSpansSQL, arguments: [fromMs - RollupSpan.periodMs, window.untilMs, fromMs]
        ).map(Self.span).filter { span in
            span.lastMs < prunedBeforeMs
                || span.firstMs >= fromMs
                    && (span.lastMs < window.sinceMs || span.firstMs >= window.sinceMs && span.lastMs < window.untilMs)
        }
        var coverage = SpanCoverage(spans: spans)
        var nextSpan = spans.startIndex
        func feedSpans(before ms: Int64) throws {
            while nextSpan < spans.endIndex, spans[nextSpan].firstMs < ms {
                let span = spans[nextSpan]
                nextSpan += 1
                guard !builder.add(span, roundsAreGone: span.lastMs < prunedBeforeMs) else { continue }
                // The replay is not where the recorder was: read the span's rounds instead.
                try forEachRound(db, fromMs: span.firstMs, untilMs: span.lastMs + 1, targetId: span.targetId,
                                 runId: span.runId) { builder.add($0) }
            }
        }
        for range in rawRanges(fromMs: fromMs, untilMs: window.untilMs, spans: spans, targets: targets, runs: runs) {
            try forEachRound(db, fromMs: range.lowerBound, untilMs: range.upperBound) { stored in
                guard !coverage.covers(stored) else { return }
                try feedSpans(before: stored.round.scheduledMs + 1)
                builder.add(stored)
            }
        }
        try feedSpans(before: Int64.max)
    }

    /// The stretches where some target may have rounds no span covers: each target's recorder runs (start to
    /// last heartbeat or stop) within `[fromMs, untilMs)`, less its spans, merged across targets. Two spans of a
    /// run on adjacent slots leave nothing between them.
    private static func rawRanges(fromMs: Int64, untilMs: Int64, spans: [RollupSpan], targets: [StoredTarget],
                                  runs: [RecorderRunSpan]) -> [Range<Int64>] {
        let spansByTarget = Dictionary(grouping: spans, by: \.targetId)
        let runExtents = Dictionary(uniqueKeysWithValues: runs.map { run in
            (run.id, run.startedMs..<(max(run.heartbeatMs, run.stoppedMs ?? run.heartbeatMs) + 1))
        })
        var uncovered: [Range<Int64>] = []
        for target in targets {
            var rest = target.policies.keys.compactMap { runExtents[$0] }
                .map { extent -> Range<Int64> in
                    let lower = max(extent.lowerBound, fromMs)
                    return lower..<max(lower, min(extent.upperBound, untilMs))
                }
                .filter { !$0.isEmpty }
            var previous: RollupSpan?
            for span in spansByTarget[target.id] ?? [] {
                let adjacent = previous.map { $0.runId == span.runId
                    && span.firstMs - $0.lastMs == target.policies[span.runId]?.intervalMs } ?? false
                let covered = (adjacent ? previous!.lastMs + 1 : span.firstMs)..<(span.lastMs + 1)
                rest = rest.flatMap { range -> [Range<Int64>] in
                    guard range.overlaps(covered) else { return [range] }
                    let before = range.lowerBound..<max(range.lowerBound, covered.lowerBound)
                    let after = min(range.upperBound, covered.upperBound)..<range.upperBound
                    return [before, after].filter { !$0.isEmpty }
                }
                previous = span
            }
            uncovered += rest
        }
        var merged: [Range<Int64>] = []
        for range in uncovered.sorted(by: { $0.lowerBound < $1.lowerBound }) {
            if let last = merged.last, range.lowerBound <= last.upperBound {
                merged[merged.count - 1] = last.lowerBound..<max(last.upperBound, range.upperBound)
            } else {
                merged.append(range)
            }
        }
        return merged
    }

    /// A span from a row of ``rollupSpansSQL`` (read by column position: a month's report reads thousands).
    private static func span(_ row: Row) throws -> RollupSpan {
        let attempts: Int64 = row[8]
        let ok: Int64 = row[9]
        func histogram(_ column: Int, count: Int64) throws -> LatencyHistogram {
            try LatencyHistogram(encodedBuckets: row[column], count: count, sumUs: row[column + 1],
                                 sumSquaresUs: row[column + 2], minUs: row[column + 3], maxUs: row[column + 4])
        }
        return RollupSpan(
            targetId: row[0], runId: row[1], verdict: RoundVerdict(rawValue: row[2]) ?? .up, firstMs: row[3],
            lastMs: row[4], lastDurationUs: row[5], rounds: row[6], flaky: row[7], attempts: Int(attempts),
            success: try histogram(10, count: ok), failure: try histogram(15, count: attempts - ok))
    }
}

/// Which stored rounds a span already stands for, asked in slot order.
private struct SpanCoverage {
    /// Per target, its spans in slot order and the first one not yet passed.
    private var spans: [Int64: (list: [RollupSpan], next: Int)]

    init(spans: [RollupSpan]) {
        self.spans = Dictionary(grouping: spans, by: \.targetId).mapValues { ($0, 0) }
    }

    mutating func covers(_ stored: StoredRound) -> Bool {
        guard var entry = spans[stored.targetId] else { return false }
        let slot = stored.round.scheduledMs
        while entry.next < entry.list.count, entry.list[entry.next].lastMs < slot { entry.next += 1 }
        spans[stored.targetId] = entry
        guard entry.next < entry.list.count else { return false }
        let span = entry.list[entry.next]
        return span.firstMs <= slot && span.runId == stored.runId
    }
}
