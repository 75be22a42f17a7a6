import Foundation
import GRDB

extension HistoryReader {
    /// The spans of `table` that begin in `[?, ?)` and end at or after `?`, with all they hold (read by column
    /// position), in key order: one range of the primary key, read where the first pass found the spans a report
    /// uses (the day table's, or the finer table's where day spans leave room), so the finer spans inside day
    /// spans are never read.
    static func rollupSpansSQL(_ table: RollupTable) -> String {
        """
        SELECT target_id, run_id, first_ms, last_ms, verdict, last_duration_us, rounds, flaky, attempts,
               ok_attempts, ok_histogram, ok_sum_us, ok_sum_sq_us, ok_min_us, ok_max_us,
               fail_histogram, fail_sum_us, fail_sum_sq_us, fail_min_us, fail_max_us
        FROM \(table.rawValue) WHERE first_ms >= ? AND first_ms < ? AND last_ms >= ?
        ORDER BY first_ms, target_id, run_id
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
    /// first; the finer spans are searched only where the used day spans leave room for one (every finer span lies
    /// inside one day span or outside all); where the window's edge cuts a day span, its finer spans stand in,
    /// and a finer span cut by the edge is read as its rounds, unless those were pruned. The raw rounds come from
    /// one query over every stretch no used span covers; every target's rows of a stretch come back, and those a
    /// span covers are skipped before they are built. Spans are read twice over the same ranges: their keys first
    /// (which are used, which rounds to read), then their rows, one at a time in slot order with the rounds, so a
    /// report holds no more than one span's histograms per table.
    static func feedRounds(_ db: Database, into builder: inout ReportBuilder, fromMs: Int64,
                           targets: [StoredTarget], runs: [RecorderRunSpan], tables: [RollupTable],
                           looseRounds: Bool) throws {
        let window = builder.window
        guard !tables.isEmpty else {
            try forEachRound(db, in: [fromMs..<max(fromMs, window.untilMs)]) { builder.add($0) }
            return
        }
        let prunedBeforeMs = try Int64.fetchOne(db, sql: "SELECT max(before_ms) FROM prune") ?? Int64.min
        // Wholly inside the window, or before it for the replay; or, once its rounds are pruned, a finer span even
        // where the window's edge cuts it (a day span cut so would share its counts out over a day, not an hour).
        // The HTML latency chart shows each bucket's own attempts: there a span in the window longer than a bucket
        // is not used (a finer span or the raw rounds stand in), unless its rounds are gone.
        let longestInWindowMs = builder.keepsLatencyStrip ? window.stripBucketMs : Int64.max
        func usable(_ key: SpanKey, _ table: RollupTable) -> Bool {
            if table == .base, key.lastMs < prunedBeforeMs { return true }
            return key.firstMs >= fromMs
                && (key.lastMs < window.sinceMs
                    || key.firstMs >= window.sinceMs && key.lastMs < window.untilMs
                        && key.lastMs - key.firstMs < longestInWindowMs)
        }
        // Coarsest first: each table's used spans leave out the finer spans inside them, and the finer table is
        // searched only where the coarser one's used spans leave room for a span.
        var used: [RollupTable: (ranges: [Range<Int64>], keys: [SpanKey])] = [:]
        var all: [SpanKey] = []
        for table in RollupTable.allCases.reversed() where tables.contains(table) {
            var inside = SpanCoverage(all)
            var keys: [SpanKey] = []
            // Where a span of this table may begin outside the coarser spans used: for a month with day spans, the
            // days the window's edges cut, the ends of recorder runs and the recorder's gaps, since every closed
            // span lies in a day span (history recorded before a span alone got one leaves more room, read as
            // correctly).
            let searched = all.isEmpty ? [(fromMs - table.longestMs)..<window.untilMs]
                : uncoveredStretches(fromMs: fromMs - table.longestMs, untilMs: window.untilMs, spans: all,
                                     targets: targets, runs: runs, shortestMs: { target in
                                         let intervalMs = target.policies.values.map(\.intervalMs).min() ?? 0
                                         return Int64(RollupSpan.minimumRounds - 1) * intervalMs
                                     }).map(\.range)
            let statement = try db.cachedStatement(sql: rollupSpanKeysSQL(table))
            for range in searched {
                let rows = try Row.fetchCursor(statement, arguments: [range.lowerBound, range.upperBound, fromMs])
                while let row = try rows.next() {
                    let key = SpanKey(targetId: row[0], runId: row[1], firstMs: row[2], lastMs: row[3])
                    guard usable(key, table),
                        !inside.covers(targetId: key.targetId, runId: key.runId, slotMs: key.firstMs)
                    else { continue }
                    keys.append(key)
                }
            }
            used[table] = (searched, keys)
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
        var streams = try used.map { table, use in
            try SpanStream(try db.cachedStatement(sql: rollupSpansSQL(table)), ranges: use.ranges, keys: use.keys,
                           endingFrom: fromMs)
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
        let ranges = uncoveredStretches(fromMs: fromMs, untilMs: window.untilMs, spans: all, targets: targets,
                                        runs: runs)
        try forEachRound(db, in: ranges, skipping: { coverage.covers(targetId: $0, runId: $1, slotMs: $2) }) { stored in
            try feedSpans(before: stored.round.scheduledMs + 1)
            builder.add(stored)
        }
        try feedSpans(before: Int64.max)
    }

    /// The stretches where some target may have rounds no span covers: each target's recorder runs (start to
    /// last heartbeat or stop) within `[fromMs, untilMs)`, less its spans, merged across targets; only those at
    /// least `shortestMs` of their target long. Two spans of a run on adjacent slots leave nothing between them. A
    /// stretch only one target needs names it, so SQLite passes over the other targets' rows (around a transition,
    /// they are inside spans) instead of returning them.
    private static func uncoveredStretches(fromMs: Int64, untilMs: Int64, spans: [SpanKey],
                                           targets: [StoredTarget], runs: [RecorderRunSpan],
                                           shortestMs: (StoredTarget) -> Int64 = { _ in 1 }) -> [SlotStretch]
    {
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
            let shortest = max(1, shortestMs(target))
            func add(_ range: Range<Int64>) {
                guard range.upperBound - range.lowerBound >= shortest else { return }
                uncovered.append(SlotStretch(range, targetId: target.id))
            }
            for extent in extents {
                var cursor = extent.lowerBound
                var index = covered.partitioningIndex(where: { $0.upperBound > extent.lowerBound })
                while index < covered.count, covered[index].lowerBound < extent.upperBound {
                    if covered[index].lowerBound > cursor { add(cursor..<covered[index].lowerBound) }
                    cursor = max(cursor, covered[index].upperBound)
                    index += 1
                }
                if cursor < extent.upperBound { add(cursor..<extent.upperBound) }
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
                                       arguments: [fromMs - LooseRounds.periodMs, untilMs, fromMs])
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

/// One table's used spans (chosen by key in the first pass), read over the ranges the first pass searched, in
/// key order, and decoded one at a time; the rows in between that are not used are passed over undecoded.
private struct SpanStream {
    private let statement: Statement
    private let ranges: [Range<Int64>]
    private let endingFromMs: Int64
    private var range = -1
    private var rows: RowCursor?
    private let keys: [SpanKey]
    private var next = 0
    /// The next used span, `nil` once all were read.
    private(set) var pending: RollupSpan?

    init(_ statement: Statement, ranges: [Range<Int64>], keys: [SpanKey], endingFrom endingFromMs: Int64) throws {
        self.statement = statement
        self.ranges = ranges
        self.endingFromMs = endingFromMs
        self.keys = keys
        try advance()
    }

    /// The next row of the searched ranges, `nil` after the last.
    private mutating func nextRow() throws -> Row? {
        while true {
            if let row = try rows?.next() { return row }
            range += 1
            guard range < ranges.count else { return nil }
            rows = try Row.fetchCursor(statement, arguments: [ranges[range].lowerBound, ranges[range].upperBound,
                                                              endingFromMs])
        }
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
        let key = keys[next]
        while true {
            guard let row = try nextRow() else { throw Self.notAsked }
            let found = SpanKey(targetId: row[0], runId: row[1], firstMs: row[2], lastMs: row[3])
            if SpanKey.inKeyOrder(found, key) { continue }
            guard !SpanKey.inKeyOrder(key, found) else { throw Self.notAsked }
            next += 1
            pending = try Self.span(row)
            return
        }
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
