import GRDB
import JinaHistoryCore

extension SQLiteSnapshot {
    /// Rounds handed to the caller at a time.
    static let roundBatch = 512

    /// The slot stretches of a JSON array of `[from, until, target]` (`[from, until)`, and the one target whose
    /// rows are wanted, or -1 for all), as columns `lo`, `hi`, `t` of `w`. The `LIMIT` keeps SQLite from folding
    /// it into the outer query, which would parse the JSON again for every row the target filter looks at.
    private static let stretchesSQL = """
        (SELECT json_extract(value, '$[0]') AS lo, json_extract(value, '$[1]') AS hi, json_extract(value, '$[2]') AS t
         FROM json_each(?) LIMIT -1) AS w
        """

    /// Attempts of the slot stretches (see `stretchesSQL`; of one target and run, with `oneRun`), with their
    /// error texts. One statement reads every stretch: a month's report has thousands. Rows come stretch by
    /// stretch and, within one, in key order (the plan walks the stretches, then the table's key: the query-plan
    /// test holds it to that), so sorted, disjoint stretches give round-key order without a sort. The targets
    /// and run are plain filters (`+ 0`): as equalities, SQLite would plan another way.
    static func attemptsInRangesSQL(oneRun: Bool = false) -> String {
        """
        SELECT a.scheduled_ms, a.target_id, a.run_id, a.role, a.n, a.started_ms, a.duration_us, a.ok, a.raw_code,
               a.error_id, e.class, e.exception, e.message
        FROM \(stretchesSQL) CROSS JOIN attempt a LEFT JOIN error e ON e.id = a.error_id
        WHERE a.scheduled_ms >= w.lo AND a.scheduled_ms < w.hi AND (w.t < 0 OR a.target_id + 0 = w.t)\
        \(oneRun ? " AND a.target_id + 0 = ? AND a.run_id + 0 = ?" : "")
        """
    }

    /// Rounds of the slot stretches (see `stretchesSQL`; of one target and run, with `oneRun`), in key order for
    /// sorted, disjoint stretches (see ``attemptsInRangesSQL(oneRun:)``).
    static func roundsInRangesSQL(oneRun: Bool = false) -> String {
        """
        SELECT r.scheduled_ms, r.target_id, r.run_id, r.verdict, r.attempts, r.start_lag_ms, r.duration_us
        FROM \(stretchesSQL) CROSS JOIN round r
        WHERE r.scheduled_ms >= w.lo AND r.scheduled_ms < w.hi AND (w.t < 0 OR r.target_id + 0 = w.t)\
        \(oneRun ? " AND r.target_id + 0 = ? AND r.run_id + 0 = ?" : "")
        """
    }

    // Built once: every report runs them.
    private static let attemptsSQL = attemptsInRangesSQL()
    private static let oneRunAttemptsSQL = attemptsInRangesSQL(oneRun: true)
    private static let roundsSQL = roundsInRangesSQL()
    private static let oneRunRoundsSQL = roundsInRangesSQL(oneRun: true)

    /// Reads the rounds with one statement for rounds and one for the attempts of those that are not
    /// inline-healthy, merged by key; a round a span covers costs a check, not a record.
    ///
    /// - throws: ``JinaHistoryError`` (storage) if SQLite ever returns rows out of key order, rather than report
    ///   from them.
    func forEachRound(in stretches: [SlotStretch], of run: (targetId: Int64, runId: Int64)?,
                      skipping: inout SpanCoverage, _ body: ([StoredRound]) throws -> Void) throws {
        guard !stretches.isEmpty else { return }
        let stretchesJSON = "[" + stretches.map {
            "[\($0.range.lowerBound),\($0.range.upperBound),\($0.targetId ?? -1)]"
        }.joined(separator: ",") + "]"
        var arguments: StatementArguments = [stretchesJSON]
        if let run { arguments += [run.targetId, run.runId] }
        let attemptCursor = try Row.fetchCursor(
            db.cachedStatement(sql: run == nil ? Self.attemptsSQL : Self.oneRunAttemptsSQL), arguments: arguments)
        // Error texts repeat: each is parsed (deployment, addresses) once per read.
        var failures: [Int64: FailureDetail] = [:]
        var assembly = try RoundAssembly(batchSize: Self.roundBatch, outOfOrder: Self.outOfOrder) {
            guard let row = try attemptCursor.next() else { return nil }
            var failure: FailureDetail?
            if (row[7] as Int64) != 1 {
                let errorId: Int64 = row[9] ?? -1
                failure = failures[errorId]
                    ?? FailureDetail(storedClass: row[10], exception: row[11], message: row[12])
                failures[errorId] = failure
            }
            return (
                RoundAssembly.Key(scheduledMs: row[0], targetId: row[1], runId: row[2]),
                AttemptRecord(
                    role: AttemptRecord.Role(rawValue: row[3]) ?? .readiness, number: row[4], startedMs: row[5],
                    durationUs: row[6], rawCode: row[8], failure: failure)
            )
        }
        let rounds = try Row.fetchCursor(
            db.cachedStatement(sql: run == nil ? Self.roundsSQL : Self.oneRunRoundsSQL), arguments: arguments)
        while let row = try rounds.next() {
            // Columns by position (see roundsInRangesSQL): reports read many rounds.
            let key = RoundAssembly.Key(scheduledMs: row[0], targetId: row[1], runId: row[2])
            try assembly.add(key, skipping: &skipping, round: {
                RoundRecord(scheduledMs: key.scheduledMs, verdict: RoundVerdict(rawValue: row[3]) ?? .down,
                            startLagMs: row[5], durationUs: row[6])
            }, body)
        }
        try assembly.finish(body)
    }

    static var outOfOrder: JinaHistoryError {
        .storage(StorageProblem(
            location: "round", reason: .outOfOrder("SQLite returned rounds out of slot order (its query plan changed)")))
    }
}
