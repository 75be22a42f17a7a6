import GRDB

extension HistoryReader {
    /// Spans that may stand in for rounds of `[fromMs, untilMs)`, in key order: what identifies them, then what
    /// they hold (read by column position: a month's report reads thousands).
    static let rollupSpansSQL = """
        SELECT target_id, run_id, first_ms, last_ms, verdict, last_duration_us, rounds, flaky, attempts, ok_attempts,
               ok_histogram, ok_sum_us, ok_sum_sq_us, ok_min_us, ok_max_us,
               fail_histogram, fail_sum_us, fail_sum_sq_us, fail_min_us, fail_max_us
        FROM rollup WHERE first_ms >= ? AND first_ms < ? AND last_ms >= ?
        ORDER BY first_ms, target_id, run_id
        """

    /// The same spans' identities alone, for the first pass (which rounds must be read raw).
    static let rollupSpanKeysSQL = """
        SELECT target_id, run_id, first_ms, last_ms
        FROM rollup WHERE first_ms >= ? AND first_ms < ? AND last_ms >= ?
        ORDER BY first_ms, target_id, run_id
        """

    /// Feeds the builder every round of `[fromMs, window end)`, with rollup spans standing in for the rounds they
    /// cover (migrations/0004_rollups.sql), so a report of a month reads thousands of spans and the few rounds
    /// around transitions and window edges, not millions of rounds.
    ///
    /// A span is used when it lies wholly before the window (replay only) or wholly inside it; one cut by the
    /// window's edge is read as its rounds, unless those were pruned. The raw rounds come from one query over
    /// every stretch a span does not cover; every target's rows of a stretch come back, and those a span covers
    /// are skipped before they are built. Spans are read twice: their keys first (to know which rounds to read),
    /// then one at a time in slot order with the rounds, so a report holds no more than one span's histograms.
    static func feedRounds(_ db: Database, into builder: inout ReportBuilder, fromMs: Int64,
                           targets: [StoredTarget], runs: [RecorderRunSpan], useRollups: Bool) throws {
        let window = builder.window
        guard useRollups else {
            try forEachRound(db, in: [fromMs..<max(fromMs, window.untilMs)]) { builder.add($0) }
            return
        }
        let prunedBeforeMs = try Int64.fetchOne(db, sql: "SELECT max(before_ms) FROM prune") ?? Int64.min
        func usable(firstMs: Int64, lastMs: Int64) -> Bool {
            lastMs < prunedBeforeMs
                || firstMs >= fromMs && (lastMs < window.sinceMs || firstMs >= window.sinceMs && lastMs < window.untilMs)
        }
        let arguments: StatementArguments = [fromMs - RollupSpan.periodMs, window.untilMs, fromMs]
        var keys: [SpanKey] = []
        let keyRows = try Row.fetchCursor(db, sql: rollupSpanKeysSQL, arguments: arguments)
        while let row = try keyRows.next() {
            let key = SpanKey(targetId: row[0], runId: row[1], firstMs: row[2], lastMs: row[3])
            if usable(firstMs: key.firstMs, lastMs: key.lastMs) { keys.append(key) }
        }
        var coverage = SpanCoverage(keys)
        let spanRows = try Row.fetchCursor(db, sql: rollupSpansSQL, arguments: arguments)
        var pending = try nextUsableSpan(spanRows, usable)
        func feedSpans(before ms: Int64) throws {
            while let span = pending, span.firstMs < ms {
                pending = try nextUsableSpan(spanRows, usable)
                guard !builder.add(span, roundsAreGone: span.lastMs < prunedBeforeMs) else { continue }
                // The replay is not where the recorder was: read the span's rounds instead.
                try forEachRound(db, in: [span.firstMs..<(span.lastMs + 1)], targetId: span.targetId,
                                 runId: span.runId) { builder.add($0) }
            }
        }
        let ranges = rawRanges(fromMs: fromMs, untilMs: window.untilMs, spans: keys, targets: targets, runs: runs)
        try forEachRound(db, in: ranges, skipping: { coverage.covers(targetId: $0, runId: $1, slotMs: $2) }) { stored in
            try feedSpans(before: stored.round.scheduledMs + 1)
            builder.add(stored)
        }
        try feedSpans(before: Int64.max)
    }

    /// The next span of the cursor that `usable` accepts, its histograms decoded.
    private static func nextUsableSpan(_ rows: RowCursor, _ usable: (Int64, Int64) -> Bool) throws -> RollupSpan? {
        while let row = try rows.next() {
            guard usable(row[2], row[3]) else { continue }
            let attempts: Int64 = row[8]
            let ok: Int64 = row[9]
            func histogram(_ column: Int, count: Int64) throws -> LatencyHistogram {
                try LatencyHistogram(encodedBuckets: row[column], count: count, sumUs: row[column + 1],
                                     sumSquaresUs: row[column + 2], minUs: row[column + 3], maxUs: row[column + 4])
            }
            return RollupSpan(
                targetId: row[0], runId: row[1], verdict: RoundVerdict(rawValue: row[4]) ?? .up, firstMs: row[2],
                lastMs: row[3], lastDurationUs: row[5], rounds: row[6], flaky: row[7], attempts: Int(attempts),
                success: try histogram(10, count: ok), failure: try histogram(15, count: attempts - ok))
        }
        return nil
    }

    /// The stretches where some target may have rounds no span covers: each target's recorder runs (start to
    /// last heartbeat or stop) within `[fromMs, untilMs)`, less its spans, merged across targets. Two spans of a
    /// run on adjacent slots leave nothing between them.
    private static func rawRanges(fromMs: Int64, untilMs: Int64, spans: [SpanKey], targets: [StoredTarget],
                                  runs: [RecorderRunSpan]) -> [Range<Int64>] {
        let spansByTarget = Dictionary(grouping: spans, by: \.targetId)
        let runExtents = Dictionary(uniqueKeysWithValues: runs.map { run in
            (run.id, run.startedMs..<(max(run.heartbeatMs, run.stoppedMs ?? run.heartbeatMs) + 1))
        })
        var uncovered: [Range<Int64>] = []
        for target in targets {
            // The target's covered time: its spans, joined where they are adjacent slots of one run.
            var covered: [Range<Int64>] = []
            var previous: SpanKey?
            for span in spansByTarget[target.id] ?? [] {
                let adjacent = previous.map { $0.runId == span.runId
                    && span.firstMs - $0.lastMs == target.policies[span.runId]?.intervalMs } ?? false
                if adjacent, let last = covered.last {
                    covered[covered.count - 1] = last.lowerBound..<(span.lastMs + 1)
                } else {
                    covered.append(span.firstMs..<(span.lastMs + 1))
                }
                previous = span
            }
            let extents = target.policies.keys.compactMap { runExtents[$0] }
                .map { extent -> Range<Int64> in
                    let lower = max(extent.lowerBound, fromMs)
                    return lower..<max(lower, min(extent.upperBound, untilMs))
                }
                .filter { !$0.isEmpty }
            for extent in extents {
                var cursor = extent.lowerBound
                var index = covered.partitioningIndex(where: { $0.upperBound > extent.lowerBound })
                while index < covered.count, covered[index].lowerBound < extent.upperBound {
                    if covered[index].lowerBound > cursor { uncovered.append(cursor..<covered[index].lowerBound) }
                    cursor = max(cursor, covered[index].upperBound)
                    index += 1
                }
                if cursor < extent.upperBound { uncovered.append(cursor..<extent.upperBound) }
            }
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
}

/// What identifies a stored span: the rounds of one target and run from one slot to another.
private struct SpanKey {
    var targetId: Int64
    var runId: Int64
    var firstMs: Int64
    var lastMs: Int64
}

/// Which stored rounds a span already stands for, asked in slot order.
private struct SpanCoverage {
    /// Per target, its spans in slot order and the first one not yet passed.
    private var spans: [Int64: (list: [SpanKey], next: Int)]

    init(_ spans: [SpanKey]) {
        self.spans = Dictionary(grouping: spans, by: \.targetId).mapValues { ($0, 0) }
    }

    mutating func covers(targetId: Int64, runId: Int64, slotMs slot: Int64) -> Bool {
        guard var entry = spans[targetId] else { return false }
        while entry.next < entry.list.count, entry.list[entry.next].lastMs < slot { entry.next += 1 }
        spans[targetId] = entry
        guard entry.next < entry.list.count else { return false }
        let span = entry.list[entry.next]
        return span.firstMs <= slot && span.runId == runId
    }
}

extension Array {
    /// The first index whose element satisfies `belongs`, for a predicate that is false and then true along the
    /// array (binary search).
    fileprivate func partitioningIndex(where belongs: (Element) -> Bool) -> Int {
        var low = 0
        var high = count
        while low < high {
            let middle = (low + high) / 2
            if belongs(self[middle]) { high = middle } else { low = middle + 1 }
        }
        return low
    }
}
