import Foundation
import GRDB

extension HistoryReader {
    /// The spans of `table` whose keys are given as a JSON array of `[first_ms, target_id, run_id]`, with all
    /// they hold (read by column position), in the array's order: one primary-key search each, so the rows a
    /// report does not use (hour spans inside day spans) are never read.
    static func rollupSpansSQL(_ table: RollupTable) -> String {
        """
        SELECT r.target_id, r.run_id, r.first_ms, r.last_ms, r.verdict, r.last_duration_us, r.rounds, r.flaky,
               r.attempts, r.ok_attempts, r.ok_histogram, r.ok_sum_us, r.ok_sum_sq_us, r.ok_min_us, r.ok_max_us,
               r.fail_histogram, r.fail_sum_us, r.fail_sum_sq_us, r.fail_min_us, r.fail_max_us
        FROM json_each(?) AS w CROSS JOIN \(table.rawValue) r
        WHERE r.first_ms = json_extract(w.value, '$[0]') AND r.target_id = json_extract(w.value, '$[1]')
          AND r.run_id = json_extract(w.value, '$[2]')
        """
    }

    /// The identities of the spans of `table` that may stand in for rounds of `[fromMs, untilMs)`, in key order,
    /// for the first pass (which spans are used, which rounds are read raw): from the covering index of
    /// migration 0005, not the rows.
    static func rollupSpanKeysSQL(_ table: RollupTable) -> String {
        """
        SELECT target_id, run_id, first_ms, last_ms
        FROM \(table.rawValue) WHERE first_ms >= ? AND first_ms < ? AND last_ms >= ?
        ORDER BY first_ms, target_id, run_id
        """
    }

    /// The loose stretches (migrations/0006_loose_rounds.sql) with rounds in `[fromMs, untilMs)`, in key order:
    /// one range scan of the primary key, as no stretch crosses a clock hour.
    static let looseRoundsSQL = """
        SELECT first_ms, target_id, run_id, last_ms, rounds, data FROM loose_rounds
        WHERE first_ms >= ? AND first_ms < ? AND last_ms >= ? ORDER BY first_ms, target_id, run_id
        """

    /// Feeds the builder every round of `[fromMs, window end)`, with the spans of `tables` (none: every round raw)
    /// standing in for the rounds they cover (migrations/0004_rollups.sql, 0005_day_rollups.sql), so a report of
    /// a month reads a few thousand spans and the rounds around transitions and window edges, not millions. With
    /// `looseRounds`, the rounds no stored span covers come from their copies in `loose_rounds` (one range scan)
    /// instead of a search per stretch in `round` and `attempt`; what a crash left uncopied is read from those.
    ///
    /// A span is used when it lies wholly before the window (replay only) or wholly inside it. Day spans come
    /// first, and an hour span inside a used day span is left out (every hour span lies inside one day span or
    /// outside all); where the window's edge cuts a day span, its hour spans stand in, and an hour span cut by
    /// the edge is read as its rounds, unless those were pruned. The raw rounds come from one query over every
    /// stretch no used span covers; every target's rows of a stretch come back, and those a span covers are
    /// skipped before they are built. Spans are read twice: their keys first (which are used, which rounds to
    /// read), then by those keys, one at a time in slot order with the rounds, so a report holds no more than one
    /// span's histograms per table.
    static func feedRounds(_ db: Database, into builder: inout ReportBuilder, fromMs: Int64,
                           targets: [StoredTarget], runs: [RecorderRunSpan], tables: [RollupTable],
                           looseRounds: Bool) throws {
        let window = builder.window
        guard !tables.isEmpty else {
            try forEachRound(db, in: [fromMs..<max(fromMs, window.untilMs)]) { builder.add($0) }
            return
        }
        let prunedBeforeMs = try Int64.fetchOne(db, sql: "SELECT max(before_ms) FROM prune") ?? Int64.min
        // Wholly inside the window, or before it for the replay; or, once its rounds are pruned, an hour span even
        // where the window's edge cuts it (a day span cut so would share its counts out over a day, not an hour).
        func usable(_ key: SpanKey, _ table: RollupTable) -> Bool {
            key.firstMs >= fromMs
                && (key.lastMs < window.sinceMs || key.firstMs >= window.sinceMs && key.lastMs < window.untilMs)
                || table == .hour && key.lastMs < prunedBeforeMs
        }
        func arguments(_ table: RollupTable) -> StatementArguments {
            [fromMs - table.periodMs, window.untilMs, fromMs]
        }
        // Coarsest first: each table's used spans leave out the finer spans inside them.
        var used: [RollupTable: [SpanKey]] = [:]
        var all: [SpanKey] = []
        for table in RollupTable.allCases.reversed() where tables.contains(table) {
            var inside = SpanCoverage(all)
            var keys: [SpanKey] = []
            let rows = try Row.fetchCursor(db, sql: rollupSpanKeysSQL(table), arguments: arguments(table))
            while let row = try rows.next() {
                let key = SpanKey(targetId: row[0], runId: row[1], firstMs: row[2], lastMs: row[3])
                guard usable(key, table), !inside.covers(targetId: key.targetId, runId: key.runId, slotMs: key.firstMs)
                else { continue }
                keys.append(key)
            }
            used[table] = keys
            all = (all + keys).sorted(by: SpanKey.inKeyOrder)
        }
        let loose = looseRounds ? try LooseStretch.fetch(db, fromMs: fromMs, untilMs: window.untilMs) : []
        if !loose.isEmpty { all = (all + loose.map(\.key)).sorted(by: SpanKey.inKeyOrder) }
        var nextLoose = 0
        var failures: [Int64: FailureDetail] = [:]
        func failure(_ errorId: Int64?) throws -> FailureDetail {
            if let known = failures[errorId ?? -1] { return known }
            let row = try errorId.flatMap {
                try Row.fetchOne(db, sql: "SELECT class, exception, message FROM error WHERE id = ?", arguments: [$0])
            }
            let detail = failureDetail(errorClass: row?[0], exception: row?[1], message: row?[2])
            failures[errorId ?? -1] = detail
            return detail
        }
        var coverage = SpanCoverage(all)
        var streams = try used.map { table, keys in
            let keysJSON = "[" + keys.map { "[\($0.firstMs),\($0.targetId),\($0.runId)]" }.joined(separator: ",") + "]"
            return try SpanStream(try Row.fetchCursor(db, sql: rollupSpansSQL(table), arguments: [keysJSON]), keys)
        }
        func feedSpans(before ms: Int64) throws {
            while true {
                let index = streams.indices.min(by: { streams[$0].nextFirstMs < streams[$1].nextFirstMs })
                let spanMs = index.map { streams[$0].nextFirstMs } ?? Int64.max
                if nextLoose < loose.count, loose[nextLoose].key.firstMs < min(ms, spanMs) {
                    let stretch = loose[nextLoose]
                    nextLoose += 1
                    for round in try stretch.rounds(failure: failure)
                    where round.scheduledMs >= fromMs && round.scheduledMs < window.untilMs {
                        builder.add(StoredRound(targetId: stretch.key.targetId, runId: stretch.key.runId, round: round))
                    }
                    continue
                }
                guard let index, let span = streams[index].pending, span.firstMs < ms else { return }
                try streams[index].advance()
                guard !builder.add(span, roundsAreGone: span.lastMs < prunedBeforeMs) else { continue }
                // The replay is not where the recorder was: read the span's rounds instead.
                try forEachRound(db, in: [span.firstMs..<(span.lastMs + 1)], targetId: span.targetId,
                                 runId: span.runId) { builder.add($0) }
            }
        }
        let ranges = rawRanges(fromMs: fromMs, untilMs: window.untilMs, spans: all, targets: targets, runs: runs)
        try forEachRound(db, in: ranges, skipping: { coverage.covers(targetId: $0, runId: $1, slotMs: $2) }) { stored in
            try feedSpans(before: stored.round.scheduledMs + 1)
            builder.add(stored)
        }
        try feedSpans(before: Int64.max)
    }

    /// The stretches where some target may have rounds no span covers: each target's recorder runs (start to
    /// last heartbeat or stop) within `[fromMs, untilMs)`, less its spans, merged across targets. Two spans of a
    /// run on adjacent slots leave nothing between them. A stretch only one target needs names it, so SQLite
    /// passes over the other targets' rows (around a transition, they are inside spans) instead of returning them.
    private static func rawRanges(fromMs: Int64, untilMs: Int64, spans: [SpanKey], targets: [StoredTarget],
                                  runs: [RecorderRunSpan]) -> [SlotStretch] {
        let spansByTarget = Dictionary(grouping: spans, by: \.targetId)
        let runExtents = Dictionary(uniqueKeysWithValues: runs.map { run in
            (run.id, run.startedMs..<(max(run.heartbeatMs, run.stoppedMs ?? run.heartbeatMs) + 1))
        })
        var uncovered: [SlotStretch] = []
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
                    if covered[index].lowerBound > cursor {
                        uncovered.append(SlotStretch(cursor..<covered[index].lowerBound, targetId: target.id))
                    }
                    cursor = max(cursor, covered[index].upperBound)
                    index += 1
                }
                if cursor < extent.upperBound {
                    uncovered.append(SlotStretch(cursor..<extent.upperBound, targetId: target.id))
                }
            }
        }
        var merged: [SlotStretch] = []
        for stretch in uncovered.sorted(by: { $0.range.lowerBound < $1.range.lowerBound }) {
            if let last = merged.last, stretch.range.lowerBound <= last.range.upperBound {
                merged[merged.count - 1] = SlotStretch(
                    last.range.lowerBound..<max(last.range.upperBound, stretch.range.upperBound),
                    targetId: last.targetId == stretch.targetId ? last.targetId : nil)
            } else {
                merged.append(stretch)
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

    /// The tables' primary-key order.
    static func inKeyOrder(_ a: SpanKey, _ b: SpanKey) -> Bool {
        (a.firstMs, a.targetId, a.runId) < (b.firstMs, b.targetId, b.runId)
    }
}

/// One `loose_rounds` row, its rounds still encoded: a report holds a month's as bytes and decodes one at a time.
private struct LooseStretch {
    var key: SpanKey
    var count: Int
    var data: Data

    /// The stretches with rounds in `[fromMs, untilMs)`, in key order.
    static func fetch(_ db: Database, fromMs: Int64, untilMs: Int64) throws -> [LooseStretch] {
        // A cursor: its rows are read in place, not copied into rows first.
        let rows = try Row.fetchCursor(db.cachedStatement(sql: HistoryReader.looseRoundsSQL),
                                       arguments: [fromMs - RollupSpan.periodMs, untilMs, fromMs])
        var stretches: [LooseStretch] = []
        while let row = try rows.next() {
            let key = SpanKey(targetId: row[1], runId: row[2], firstMs: row[0], lastMs: row[3])
            stretches.append(LooseStretch(key: key, count: row[4], data: row[5]))
        }
        return stretches
    }

    /// The rounds, with each failed attempt's detail from `failure` (by error id).
    func rounds(failure: (Int64?) throws -> FailureDetail) throws -> [RoundRecord] {
        try LooseRoundsCodec.decode(data, count: count, firstMs: key.firstMs, failure: failure)
    }
}

/// One table's used spans (chosen by key in the first pass), read by those keys and decoded one at a time.
private struct SpanStream {
    private let rows: RowCursor
    private let keys: [SpanKey]
    private var next = 0
    /// The next used span, `nil` once all were read.
    private(set) var pending: RollupSpan?

    init(_ rows: RowCursor, _ keys: [SpanKey]) throws {
        self.rows = rows
        self.keys = keys
        try advance()
    }

    /// The pending span's first slot, `Int64.max` when there is none.
    var nextFirstMs: Int64 { pending?.firstMs ?? Int64.max }

    /// Moves on to the next used span.
    ///
    /// - throws: ``JinaHistoryError`` (storage) if a row is not the span asked for (the read is one snapshot,
    ///   so this means a query plan that does not follow the keys' order).
    mutating func advance() throws {
        pending = nil
        guard next < keys.count else { return }
        guard let row = try rows.next() else { throw Self.notAsked }
        let (firstMs, targetId, runId): (Int64, Int64, Int64) = (row[2], row[0], row[1])
        let key = keys[next]
        guard firstMs == key.firstMs, targetId == key.targetId, runId == key.runId else { throw Self.notAsked }
        next += 1
        pending = try Self.span(row)
    }

    private static var notAsked: JinaHistoryError {
        .storage("SQLite returned rollup spans other than those asked for, or out of order, so no report is made "
            + "from them; please report this with the output of `sqlite3 --version`")
    }

    private static func span(_ row: Row) throws -> RollupSpan {
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
}

/// Which stored rounds a span already stands for, asked in slot order.
private struct SpanCoverage {
    /// Per target (by its position in `lists`), its spans in slot order and the first one not yet passed. Asked
    /// once per raw row: the dictionary is only read, the positions move in an array.
    private let position: [Int64: Int]
    private let lists: [[SpanKey]]
    private var next: [Int]

    init(_ spans: [SpanKey]) {
        let byTarget = Array(Dictionary(grouping: spans, by: \.targetId))
        lists = byTarget.map(\.value)
        position = Dictionary(uniqueKeysWithValues: byTarget.enumerated().map { ($1.key, $0) })
        next = Array(repeating: 0, count: lists.count)
    }

    mutating func covers(targetId: Int64, runId: Int64, slotMs slot: Int64) -> Bool {
        guard let index = position[targetId] else { return false }
        let list = lists[index]
        var passed = next[index]
        while passed < list.count, list[passed].lastMs < slot { passed += 1 }
        next[index] = passed
        guard passed < list.count else { return false }
        return list[passed].firstMs <= slot && list[passed].runId == runId
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
