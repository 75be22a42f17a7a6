import Foundation
import GRDB
import JinaHistoryCore

extension SQLiteSnapshot {
    /// The spans of `table` that begin in `[?, ?)` and end at or after `?`, with all they hold (read by column
    /// position), in key order: one range of the primary key, read where the key pass found the spans a report
    /// uses, so the finer spans inside day spans are never read.
    static func rollupSpansSQL(_ level: RollupLevel) -> String {
        """
        SELECT target_id, run_id, first_ms, last_ms, verdict, last_duration_us, rounds, flaky, attempts,
               ok_attempts, ok_histogram, ok_sum_us, ok_sum_sq_us, ok_min_us, ok_max_us,
               fail_histogram, fail_sum_us, fail_sum_sq_us, fail_min_us, fail_max_us
        FROM \(level.table) WHERE first_ms >= ? AND first_ms < ? AND last_ms >= ?
        ORDER BY first_ms, target_id, run_id
        """
    }

    /// The identities of the spans of `table` that may stand in for rounds of a window, in key order, for the key
    /// pass: from the covering index of migration 0005, not the rows.
    static func rollupSpanKeysSQL(_ level: RollupLevel) -> String {
        """
        SELECT target_id, run_id, first_ms, last_ms
        FROM \(level.table) WHERE first_ms >= ? AND first_ms < ? AND last_ms >= ?
        ORDER BY first_ms, target_id, run_id
        """
    }

    /// The loose stretches (migrations/0006_loose_rounds.sql) with rounds in `[fromMs, untilMs)`, in key order:
    /// one range scan of the primary key, as no stretch crosses a clock hour.
    static let looseRoundsSQL = """
        SELECT first_ms, target_id, run_id, last_ms, rounds, data FROM loose_rounds
        WHERE first_ms >= ? AND first_ms < ? AND last_ms >= ? ORDER BY first_ms, target_id, run_id
        """

    func spanKeys(_ level: RollupLevel, beginningIn ranges: [Range<Int64>], endingFrom lastAtLeast: Int64) throws
        -> [SpanKey]
    {
        // A statement per range: in process, a search costs no round trip.
        let statement = try db.cachedStatement(sql: Self.rollupSpanKeysSQL(level))
        var keys: [SpanKey] = []
        for range in ranges {
            let rows = try Row.fetchCursor(statement, arguments: [range.lowerBound, range.upperBound, lastAtLeast])
            while let row = try rows.next() {
                keys.append(SpanKey(targetId: row[0], runId: row[1], firstMs: row[2], lastMs: row[3]))
            }
        }
        return keys
    }

    func spans(_ level: RollupLevel, keys: [SpanKey], searchedIn ranges: [Range<Int64>],
               endingFrom lastAtLeast: Int64) throws -> any RollupSpanBatches {
        SpanRows(try db.cachedStatement(sql: Self.rollupSpansSQL(level)), ranges: ranges, keys: keys,
                 endingFrom: lastAtLeast)
    }

    func looseStretches(from fromMs: Int64, until untilMs: Int64) throws -> [EncodedLooseStretch] {
        // A cursor: its rows are read in place, not copied into rows first.
        let rows = try Row.fetchCursor(db.cachedStatement(sql: Self.looseRoundsSQL),
                                       arguments: [fromMs - LooseRounds.periodMs, untilMs, fromMs])
        var stretches: [EncodedLooseStretch] = []
        while let row = try rows.next() {
            let key = SpanKey(targetId: row[1], runId: row[2], firstMs: row[0], lastMs: row[3])
            stretches.append(EncodedLooseStretch(key: key, rounds: row[4], payload: row[5]))
        }
        return stretches
    }

    func decode(_ stretch: EncodedLooseStretch) throws -> [RoundRecord] {
        try LooseRoundsCodec.decode(stretch.payload, count: stretch.rounds, firstMs: stretch.key.firstMs) { errorId in
            if let known = failures.byId[errorId ?? -1] { return known }
            let row = try errorId.flatMap {
                try Row.fetchOne(db.cachedStatement(sql: "SELECT class, exception, message FROM error WHERE id = ?"),
                                 arguments: [$0])
            }
            let detail = FailureDetail(storedClass: row?[0], exception: row?[1], message: row?[2])
            failures.byId[errorId ?? -1] = detail
            return detail
        }
    }
}

/// One level's used spans (chosen by key in the first pass), read over the ranges the first pass searched, in
/// key order, and decoded batch by batch; the rows in between that are not used are passed over undecoded.
private struct SpanRows: RollupSpanBatches {
    private let statement: Statement
    private let ranges: [Range<Int64>]
    private let endingFromMs: Int64
    private var range = -1
    private var rows: RowCursor?
    private let keys: [SpanKey]
    private var next = 0

    init(_ statement: Statement, ranges: [Range<Int64>], keys: [SpanKey], endingFrom endingFromMs: Int64) {
        self.statement = statement
        self.ranges = ranges
        self.endingFromMs = endingFromMs
        self.keys = keys
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

    /// - throws: ``JinaHistoryError`` (storage) if a row is not the span asked for (the read is one snapshot, so
    ///   this means a query plan that does not follow the keys' order).
    mutating func next(into spans: inout [RollupSpan], limit: Int) throws {
        var added = 0
        while added < limit, next < keys.count {
            let key = keys[next]
            guard let row = try nextRow() else { throw Self.notAsked }
            let found = SpanKey(targetId: row[0], runId: row[1], firstMs: row[2], lastMs: row[3])
            if SpanKey.inKeyOrder(found, key) { continue }
            guard !SpanKey.inKeyOrder(key, found) else { throw Self.notAsked }
            next += 1
            spans.append(try Self.span(row))
            added += 1
        }
    }

    private static var notAsked: JinaHistoryError {
        .storage(StorageProblem(
            location: "rollup", reason: .outOfOrder("SQLite returned rollup spans other than those asked for, or out of order")))
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
