import Foundation
import JinaHistoryCore
import PostgresNIO

/// One `REPEATABLE READ READ ONLY` transaction of a PostgreSQL history, answering the storage interface's queries
/// (``HistorySnapshot``) as the SQLite engine does, in PostgreSQL's dialect. Long results (rounds, attempts) are
/// read through cursors in batches, so a month's report never holds its rows at once.
final class PostgresSnapshot: HistorySnapshot {
    let session: PostgresSession
    /// Error texts by id, each read and parsed once per snapshot.
    private var failures: [Int64: FailureDetail] = [:]
    /// Names the cursors of this snapshot.
    private var cursors = 0

    /// The database's schema version, for the columns later migrations add.
    let schemaVersion: Int

    init(_ session: PostgresSession, schemaVersion: Int) {
        self.session = session
        self.schemaVersion = schemaVersion
    }

    /// Rows fetched from a cursor at a time, and rounds handed to a report at a time.
    static let fetchBatch = 4_096
    /// Rounds packed into one row.
    static let roundsPerChunk = 4_096
    /// Stretches this close are read as one range, the rounds between them dropped here. A BRIN lookup reads whole
    /// block ranges whatever the stretch's length, so a month's report, whose thousands of stretches crowd around
    /// the same day edges and transitions, made one lookup per stretch and re-read the same blocks: 5.5 s before,
    /// 0.5 s after (docs/benchmarks.md, "The central store").
    static let rangeGapMs: Int64 = 300_000

    func runs() throws -> [RecorderRunSpan] { try Self.runs(session, schemaVersion: schemaVersion) }

    /// Every recorder run, oldest first, with whether its process still lives when it has no stop mark and ran on
    /// this host. Before migration 0011 no run knows its last slot.
    static func runs(_ session: PostgresSession, schemaVersion: Int) throws -> [RecorderRunSpan] {
        let lastSlot = schemaVersion >= 11 ? "last_slot_ms" : "NULL::int8"
        return try session.rows(PostgresQuery(unsafeSQL: """
            SELECT id, started_ms, heartbeat_ms, stopped_ms, host, vantage, pid::int8, version, \(lastSlot)
            FROM recorder_run ORDER BY started_ms, id
            """)).map { row in
            let (id, startedMs, heartbeatMs, stoppedMs, host, vantage, pid, version, lastSlotMs) = try decoded(
                row, as: (Int64, Int64, Int64, Int64?, String, String, Int64, String, Int64?).self)
            var run = RecorderRunSpan(id: id, startedMs: startedMs, heartbeatMs: heartbeatMs, stoppedMs: stoppedMs,
                                      host: host, vantage: vantage, pid: Int(pid), version: version,
                                      lastSlotMs: lastSlotMs)
            if stoppedMs == nil, host == ProcessInfo.processInfo.hostName, pid > 0 {
                // Signal 0 probes without signalling; a reused pid can only make a dead run look alive, and then
                // its stale heartbeat still tells.
                run.processAlive = kill(pid_t(pid), 0) == 0 || errno == EPERM
            }
            return run
        }
    }

    func targets() throws -> [StoredTarget] {
        var policies: [Int64: [Int64: ProbePolicy]] = [:]
        var urls: [Int64: [Int64: String]] = [:]
        for row in try session.rows("""
            SELECT run_id, target_id, interval_ms, timeout_ms, attempts::int8, retry_delay_ms, min_successes::int8,
                   failure_threshold::int8, success_threshold::int8, url
            FROM run_target
            """) {
            let (runId, targetId, interval, timeout, attempts, retryDelay, minSuccesses, failures, successes, url) =
                try decoded(row, as: (Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64, String).self)
            urls[targetId, default: [:]][runId] = url
            policies[targetId, default: [:]][runId] = try ProbePolicy(
                intervalMs: interval, timeoutMs: timeout, attempts: Int(attempts), retryDelayMs: retryDelay,
                minSuccesses: Int(minSuccesses), failureThreshold: Int(failures), successThreshold: Int(successes))
        }
        return try session.rows("SELECT id, name, kind, url, labels FROM target ORDER BY name").map { row in
            let (id, name, kind, url, labels) = try decoded(row, as: (Int64, String, String, String, String).self)
            var target = StoredTarget(id: id, name: name, kind: TargetKind(rawValue: kind) ?? .flow, url: url,
                                      policies: policies[id] ?? [:], labels: StoredTarget.labels(stored: labels))
            target.runUrls = urls[id] ?? [:]
            return target
        }
    }

    /// The row id of the target named `name`, for a write that names it.
    ///
    /// - throws: ``JinaHistoryError`` (bad input) naming the targets there are.
    static func targetId(named name: String, _ session: PostgresSession) throws -> Int64 {
        if let id = try session.value("SELECT id FROM target WHERE name = \(name)", as: Int64.self) { return id }
        let known = try session.rows("SELECT name FROM target ORDER BY name").map { try decoded($0, as: String.self) }
        throw HistoryFeed.unknownTarget(name, known: known)
    }

    func maintenance(overlapping range: Range<Int64>) throws -> [MaintenanceWindow] {
        try session.rows("""
            SELECT id, target_id, from_ms, to_ms, note, deleted_ms FROM annotation
            WHERE kind = 'maintenance' AND to_ms > \(range.lowerBound) AND from_ms < \(range.upperBound)
            ORDER BY from_ms, id
            """).map(Self.maintenanceWindow)
    }

    /// A maintenance window from its row (id, target, from, to, note, deleted).
    static func maintenanceWindow(_ row: PostgresRow) throws -> MaintenanceWindow {
        let (id, targetId, fromMs, toMs, note, deletedMs) = try decoded(
            row, as: (Int64, Int64?, Int64, Int64, String, Int64?).self)
        return MaintenanceWindow(id: id, targetId: targetId, fromMs: fromMs, toMs: toMs, note: note,
                                 deletedMs: deletedMs)
    }

    func storageFaults(overlapping range: Range<Int64>) throws -> [StorageFault] {
        try session.rows("""
            SELECT from_ms, to_ms, failed_writes, rounds_dropped, error FROM storage_fault
            WHERE to_ms > \(range.lowerBound) AND from_ms < \(range.upperBound) ORDER BY from_ms
            """).map { row in
            let (fromMs, toMs, failed, dropped, error) = try decoded(row, as: (Int64, Int64, Int64, Int64, String).self)
            return StorageFault(fromMs: fromMs, toMs: toMs, failedWrites: Int(failed), roundsDropped: Int(dropped),
                                message: error)
        }
    }

    func notifications(in range: Range<Int64>) throws -> [NotificationDelivery] {
        try session.rows("""
            SELECT target_id, event, transition_at_ms, queued_ms, finished_ms, destination, attempts, outcome, status,
                   error, run_id
            FROM notification WHERE queued_ms >= \(range.lowerBound) AND queued_ms < \(range.upperBound)
            ORDER BY queued_ms, id
            """).map { row in
            let (targetId, event, transitionAtMs, queuedMs, finishedMs, destination, attempts, outcome, status, error,
                 runId) = try decoded(row, as: (Int64, String, Int64, Int64, Int64, String, Int64, String, Int64?,
                                                String, Int64).self)
            var delivery = NotificationDelivery(
                targetId: targetId, event: TransitionNotice.Event(rawValue: event) ?? .down,
                transitionAtMs: transitionAtMs, queuedMs: queuedMs, finishedMs: finishedMs, destination: destination,
                attempts: Int(attempts), outcome: NotificationDelivery.Outcome(rawValue: outcome) ?? .failed,
                status: status.map(Int.init), error: error)
            delivery.runId = runId
            return delivery
        }
    }

    /// A transition's columns and its error's texts, as ``transition(_:)`` reads them.
    private static let transitionColumns = """
        x.target_id, x.run_id, x.at_ms, x.from_state, x.to_state, x.round_scheduled_ms, x.streak_started_ms, e.class,
        e.exception, e.message FROM transition x LEFT JOIN error e ON e.id = x.error_id
        """

    func lastTransition(targetId: Int64, to state: TargetState, atOrBefore atMs: Int64) throws -> Transition? {
        try session.rows("""
            SELECT \(unescaped: Self.transitionColumns)
            WHERE x.target_id = \(targetId) AND x.to_state = \(state.rawValue) AND x.at_ms <= \(atMs)
            ORDER BY x.at_ms DESC LIMIT 1
            """).first.map { try Self.transition($0).transition }
    }

    func transitions(in range: Range<Int64>) throws -> [StoredTransition] {
        try session.rows("""
            SELECT \(unescaped: Self.transitionColumns)
            WHERE x.at_ms >= \(range.lowerBound) AND x.at_ms < \(range.upperBound) ORDER BY x.at_ms, x.id
            """).map(Self.transition)
    }

    private static func transition(_ row: PostgresRow) throws -> StoredTransition {
        let (targetId, runId, atMs, from, to, roundMs, streakMs, errorClass, exception, message) = try decoded(
            row, as: (Int64, Int64, Int64, String, String, Int64, Int64, String?, String?, String?).self)
        let failure = errorClass.map { FailureDetail(storedClass: $0, exception: exception, message: message) }
        return StoredTransition(targetId: targetId, runId: runId, transition: Transition(
            from: TargetState(rawValue: from) ?? .unknown, to: TargetState(rawValue: to) ?? .unknown, atMs: atMs,
            roundScheduledMs: roundMs, streakStartedMs: streakMs, failure: failure))
    }

    func prunedBeforeMs() throws -> Int64? {
        try session.value("SELECT max(before_ms) FROM prune", as: Int64?.self) ?? nil
    }

    var rollupLevels: [RollupLevel] { [.base, .day] }

    var hasLooseStretches: Bool { true }

    func spanKeys(_ level: RollupLevel, beginningIn ranges: [Range<Int64>], endingFrom lastAtLeast: Int64) throws
        -> [SpanKey]
    {
        guard !ranges.isEmpty else { return [] }
        // One statement for every range, with one index range scan per range (as the rounds'): a month's report
        // searched 38 ranges, a round trip each.
        return try unpacked("""
            SELECT string_agg(int8send(target_id) || int8send(run_id) || int8send(first_ms) || int8send(last_ms),
                              ''::bytea ORDER BY first_ms, target_id, run_id)
            FROM (SELECT s.*, (row_number() OVER (ORDER BY s.first_ms, s.target_id, s.run_id) - 1)
                              / \(Self.fetchBatch) AS chunk
                  FROM unnest(\(ranges.map(\.lowerBound))::int8[], \(ranges.map(\.upperBound))::int8[]) AS w(lo, hi)
                  CROSS JOIN LATERAL (SELECT target_id, run_id, first_ms, last_ms FROM \(unescaped: level.table)
                                      WHERE first_ms >= w.lo AND first_ms < w.hi AND last_ms >= \(lastAtLeast)
                                      OFFSET 0) s) x
            GROUP BY chunk ORDER BY chunk
            """) { reader in
            SpanKey(targetId: try reader.integer(8), runId: try reader.integer(8), firstMs: try reader.integer(8),
                    lastMs: try reader.integer(8))
        }
    }

    func spans(_ level: RollupLevel, keys: [SpanKey], searchedIn ranges: [Range<Int64>],
               endingFrom lastAtLeast: Int64) throws -> any RollupSpanBatches {
        try PostgresSpanBatches(self, table: level.table, keys: keys)
    }

    func looseStretches(from fromMs: Int64, until untilMs: Int64) throws -> [EncodedLooseStretch] {
        try unpacked("""
            SELECT string_agg(int8send(first_ms) || int8send(target_id) || int8send(run_id) || int8send(last_ms)
                              || int8send(rounds) || int4send(length(data)) || data,
                              ''::bytea ORDER BY first_ms, target_id, run_id)
            FROM (SELECT *, (row_number() OVER (ORDER BY first_ms, target_id, run_id) - 1) / 1024 AS chunk
                  FROM loose_rounds
                  WHERE first_ms >= \(fromMs - LooseRounds.periodMs) AND first_ms < \(untilMs) AND last_ms >= \(fromMs)) x
            GROUP BY chunk ORDER BY chunk
            """) { reader in
            let firstMs = try reader.integer(8), targetId = try reader.integer(8), runId = try reader.integer(8)
            let lastMs = try reader.integer(8), rounds = try reader.integer(8)
            let payload = try reader.bytes(Int(try reader.integer(4)))
            return EncodedLooseStretch(key: SpanKey(targetId: targetId, runId: runId, firstMs: firstMs, lastMs: lastMs),
                                       rounds: Int(rounds), payload: payload)
        }
    }

    /// The records of `query`'s rows, each row a run of records packed by PostgreSQL's `send` functions, read by
    /// `record`: the driver decodes a row of cells at about a microsecond a cell, which made a month's report spend
    /// 16 ms on its span keys and loose stretches alone (docs/benchmarks.md, "The central store").
    private func unpacked<Record>(_ query: PostgresQuery, _ record: (inout BigEndianReader) throws -> Record) throws
        -> [Record]
    {
        var records: [Record] = []
        for row in try session.rows(query) { try unpack(row, into: &records, record) }
        return records
    }

    func decode(_ stretch: EncodedLooseStretch) throws -> [RoundRecord] {
        try LooseRoundsCodec.decode(stretch.payload, count: stretch.rounds, firstMs: stretch.key.firstMs) { errorId in
            try failure(errorId)
        }
    }

    /// The failure of error row `errorId` (`nil`: a failure without one), read once per snapshot.
    private func failure(_ errorId: Int64?) throws -> FailureDetail {
        if let known = failures[errorId ?? -1] { return known }
        let row = try errorId.flatMap { id in
            try session.rows("SELECT class, exception, message FROM error WHERE id = \(id)").first
        }
        let texts = try row.map { try decoded($0, as: (String, String, String).self) }
        let detail = FailureDetail(storedClass: texts?.0, exception: texts?.1, message: texts?.2)
        failures[errorId ?? -1] = detail
        return detail
    }


    /// Reads the rounds and the attempts of those that are not inline-healthy through two cursors, merged by key;
    /// a round a span covers costs a check, not a record.
    ///
    /// - throws: ``JinaHistoryError`` (storage) if the server returns rows out of key order (or a round twice).
    func forEachRound(in stretches: [SlotStretch], of run: (targetId: Int64, runId: Int64)?,
                      skipping: inout SpanCoverage, _ body: ([StoredRound]) throws -> Void) throws {
        guard !stretches.isEmpty else { return }
        var ranges: [Range<Int64>] = []
        for stretch in stretches {
            if let last = ranges.last, stretch.range.lowerBound - last.upperBound <= Self.rangeGapMs {
                ranges[ranges.count - 1] = last.lowerBound..<max(last.upperBound, stretch.range.upperBound)
            } else {
                ranges.append(stretch.range)
            }
        }
        let lows = ranges.map(\.lowerBound)
        let highs = ranges.map(\.upperBound)
        var wanted = StretchFilter(stretches)
        let oneTarget = run?.targetId ?? -1
        let oneRun = run?.runId ?? -1
        // Rounds come packed, `roundsPerChunk` fixed-width records per row: a row of its own per round cost more
        // in the driver (a message and seven cells to decode each) than the report's counting of it.
        let rounds = try cursor("""
            SELECT string_agg(int8send(scheduled_ms) || int4send(target_id) || int4send(run_id) || int2send(verdict)
                              || int4send(start_lag_ms) || int4send(duration_us), ''::bytea
                              ORDER BY scheduled_ms, target_id, run_id)
            FROM (SELECT r.*, (row_number() OVER (ORDER BY r.scheduled_ms, r.target_id, r.run_id) - 1)
                              / \(Self.roundsPerChunk) AS chunk
                  FROM unnest(\(lows)::int8[], \(highs)::int8[]) AS w(lo, hi)
                  -- One index lookup per range. As a plain join, estimated at millions of rows, the plan turned
                  -- with the sampled statistics: after one ANALYZE of a month a cursor sorted the whole table
                  -- (seconds), after another it used the index (milliseconds).
                  CROSS JOIN LATERAL (SELECT * FROM round r WHERE r.scheduled_ms >= w.lo AND r.scheduled_ms < w.hi
                                      OFFSET 0) r
                  WHERE (\(oneTarget)::int8 < 0 OR (r.target_id = \(oneTarget)::int8 AND r.run_id = \(oneRun)::int8))) x
            GROUP BY chunk ORDER BY chunk
            """)
        let attempts = try cursor("""
            SELECT a.scheduled_ms, a.target_id, a.run_id, a.role::int8, a.n::int8, a.started_ms, a.duration_us,
                   a.ok::int8, a.raw_code, a.error_id
            FROM unnest(\(lows)::int8[], \(highs)::int8[]) AS w(lo, hi)
            -- One key range scan per range: given a join over thousands, the planner left the primary key.
            CROSS JOIN LATERAL (SELECT * FROM attempt a WHERE a.scheduled_ms >= w.lo AND a.scheduled_ms < w.hi
                                OFFSET 0) a
            WHERE (\(oneTarget)::int8 < 0 OR (a.target_id = \(oneTarget)::int8 AND a.run_id = \(oneRun)::int8))
            ORDER BY a.scheduled_ms, a.target_id, a.run_id, a.role, a.n
            """)
        var assembly = try RoundAssembly(batchSize: Self.fetchBatch, outOfOrder: Self.outOfOrder) { [self] in
            guard let row = try attempts.next() else { return nil }
            let (slot, targetId, runId, role, number, startedMs, durationUs, ok, rawCode, errorId) = try decoded(
                row, as: (Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64?, Int64?).self)
            return (RoundAssembly.Key(scheduledMs: slot, targetId: targetId, runId: runId), AttemptRecord(
                role: AttemptRecord.Role(rawValue: Int(role)) ?? .readiness, number: Int(number), startedMs: startedMs,
                durationUs: durationUs, rawCode: rawCode.map(Int.init), failure: ok == 1 ? nil : try failure(errorId)))
        }
        while let row = try rounds.next() {
            let packed = try decoded(row, as: Data.self)
            guard packed.count % PackedRound.bytes == 0 else { throw Self.outOfOrder }
            var reader = BigEndianReader(packed)
            while !reader.isAtEnd {
                let record = try PackedRound(&reader)
                guard wanted.admits(slotMs: record.slotMs, targetId: record.targetId) else { continue }
                let key = RoundAssembly.Key(scheduledMs: record.slotMs, targetId: record.targetId, runId: record.runId)
                try assembly.add(key, skipping: &skipping, round: {
                    RoundRecord(scheduledMs: key.scheduledMs, verdict: RoundVerdict(rawValue: record.verdict) ?? .down,
                                startLagMs: record.startLagMs, durationUs: record.durationUs)
                }, body)
            }
        }
        try assembly.finish(body)
        try rounds.close()
        try attempts.close()
    }

    /// A server-side cursor over `query`, inside this snapshot's transaction, `fetching` rows at a time.
    fileprivate func cursor(_ query: PostgresQuery, fetching: Int = PostgresSnapshot.fetchBatch) throws -> Cursor {
        cursors += 1
        let name = "jh_cursor_\(cursors)"
        try session.execute(PostgresQuery(unsafeSQL: "DECLARE \(name) NO SCROLL CURSOR FOR " + query.sql,
                                          binds: query.binds))
        return Cursor(session: session, name: name, fetching: fetching)
    }

    /// Rows of a cursor, fetched a batch at a time.
    fileprivate final class Cursor {
        let session: PostgresSession
        let name: String
        let fetching: Int
        private var rows: [PostgresRow] = []
        private var position = 0
        private var finished = false

        init(session: PostgresSession, name: String, fetching: Int) {
            self.session = session
            self.name = name
            self.fetching = fetching
        }

        func next() throws -> PostgresRow? {
            if position == rows.count {
                guard !finished else { return nil }
                rows = try session.rows(PostgresQuery(unsafeSQL: "FETCH \(fetching) FROM \(name)"))
                position = 0
                finished = rows.count < fetching
                guard !rows.isEmpty else { return nil }
            }
            defer { position += 1 }
            return rows[position]
        }

        func close() throws {
            try session.execute(PostgresQuery(unsafeSQL: "CLOSE \(name)"))
        }
    }

    static var outOfOrder: JinaHistoryError {
        .storage(StorageProblem(location: "round", reason: .outOfOrder(
            "PostgreSQL returned rounds out of slot order, or a round twice")))
    }
}

/// Appends the records packed into `row`'s one `bytea` cell by PostgreSQL's `send` functions, each read by `record`.
private func unpack<Record>(_ row: PostgresRow, into records: inout [Record],
                            _ record: (inout BigEndianReader) throws -> Record) throws {
    var reader = BigEndianReader(try decoded(row, as: Data.self))
    while !reader.isAtEnd { records.append(try record(&reader)) }
}

/// One round as packed by the rounds query: slot (8 bytes), target, run (4 each), verdict (2), start lag and
/// duration (4 each), big-endian as PostgreSQL's `send` functions write them.
private struct PackedRound {
    static let bytes = 26
    var slotMs: Int64
    var targetId: Int64
    var runId: Int64
    var verdict: Int
    var startLagMs: Int64
    var durationUs: Int64

    init(_ reader: inout BigEndianReader) throws {
        slotMs = try reader.integer(8)
        targetId = try reader.integer(4)
        runId = try reader.integer(4)
        verdict = Int(try reader.integer(2))
        startLagMs = try reader.integer(4)
        durationUs = try reader.integer(4)
    }
}

/// The spans a report chose by key, in key order, through one cursor over all the keys, ``spansPerChunk`` spans
/// packed into a row: a row per span cost more in the driver (twenty cells to decode each) than the report's use
/// of it, and a statement per chunk of keys a round trip each (a month's report: 3,600 spans in 15 statements,
/// 58 ms of the server's time mostly spent waiting for the client).
private struct PostgresSpanBatches: RollupSpanBatches {
    /// Spans packed into one row.
    static let spansPerChunk = 256
    /// Rows fetched at a time.
    static let chunksPerFetch = 16

    /// `nil` once every span was read (and before, when none was asked for).
    private var cursor: PostgresSnapshot.Cursor?
    private var expected: Int
    private var decoded: [RollupSpan] = []
    private var next = 0

    /// Opens the cursor over `keys` of `table` in `snapshot`.
    init(_ snapshot: PostgresSnapshot, table: String, keys: [SpanKey]) throws {
        expected = keys.count
        guard !keys.isEmpty else {
            cursor = nil
            return
        }
        // Each span as its fixed-width numbers (PostgreSQL's `send` functions write big-endian), then its two
        // histograms, each after its length.
        cursor = try snapshot.cursor("""
            SELECT string_agg(packed, ''::bytea ORDER BY i) FROM (
                SELECT k.i, (k.i - 1) / \(Self.spansPerChunk) AS chunk,
                       int8send(s.target_id) || int8send(s.run_id) || int8send(s.first_ms) || int8send(s.last_ms)
                       || int2send(s.verdict) || int8send(s.last_duration_us) || int8send(s.rounds)
                       || int8send(s.flaky) || int8send(s.attempts) || int8send(s.ok_attempts)
                       || int8send(s.ok_sum_us) || float8send(s.ok_sum_sq_us) || int8send(s.ok_min_us)
                       || int8send(s.ok_max_us) || int8send(s.fail_sum_us) || float8send(s.fail_sum_sq_us)
                       || int8send(s.fail_min_us) || int8send(s.fail_max_us)
                       || int4send(length(s.ok_histogram)) || s.ok_histogram
                       || int4send(length(s.fail_histogram)) || s.fail_histogram AS packed
                FROM unnest(\(keys.map(\.firstMs))::int8[], \(keys.map(\.targetId))::int8[],
                            \(keys.map(\.runId))::int8[]) WITH ORDINALITY AS k(f, t, r, i)
                JOIN \(unescaped: table) s ON s.first_ms = k.f AND s.target_id = k.t AND s.run_id = k.r) x
            GROUP BY chunk ORDER BY chunk
            """, fetching: Self.chunksPerFetch)
    }

    mutating func next(into spans: inout [RollupSpan], limit: Int) throws {
        if next == decoded.count, let cursor {
            decoded.removeAll(keepingCapacity: true)
            next = 0
            if let row = try cursor.next() {
                try unpack(row, into: &decoded, Self.span)
                expected -= decoded.count
            } else {
                try cursor.close()
                self.cursor = nil
                guard expected == 0 else {
                    throw JinaHistoryError.storage(StorageProblem(location: "rollup", reason: .outOfOrder(
                        "PostgreSQL returned \(expected) fewer rollup spans than asked for")))
                }
            }
        }
        let taken = min(limit, decoded.count - next)
        spans.append(contentsOf: decoded[next..<(next + taken)])
        next += taken
    }

    private static func span(_ reader: inout BigEndianReader) throws -> RollupSpan {
        let targetId = try reader.integer(8), runId = try reader.integer(8)
        let firstMs = try reader.integer(8), lastMs = try reader.integer(8)
        let verdict = try reader.integer(2), lastDurationUs = try reader.integer(8)
        let rounds = try reader.integer(8), flaky = try reader.integer(8)
        let attempts = try reader.integer(8), ok = try reader.integer(8)
        let okSum = try reader.integer(8), okSumSquares = try reader.double()
        let okMin = try reader.integer(8), okMax = try reader.integer(8)
        let failSum = try reader.integer(8), failSumSquares = try reader.double()
        let failMin = try reader.integer(8), failMax = try reader.integer(8)
        let okBuckets = try reader.bytes(Int(try reader.integer(4)))
        let failBuckets = try reader.bytes(Int(try reader.integer(4)))
        return RollupSpan(
            targetId: targetId, runId: runId, verdict: RoundVerdict(rawValue: Int(verdict)) ?? .up,
            firstMs: firstMs, lastMs: lastMs, lastDurationUs: lastDurationUs, rounds: Int(rounds),
            flaky: Int(flaky), attempts: Int(attempts),
            success: try LatencyHistogram(encodedBuckets: okBuckets, count: ok, sumUs: okSum,
                                          sumSquaresUs: okSumSquares, minUs: okMin, maxUs: okMax),
            failure: try LatencyHistogram(encodedBuckets: failBuckets, count: attempts - ok, sumUs: failSum,
                                          sumSquaresUs: failSumSquares, minUs: failMin, maxUs: failMax))
    }
}

/// Which rounds of the coalesced ranges a caller asked for: those inside its stretches, of the stretch's target
/// when it names one. Asked in slot order, so one pointer moves along the stretches.
private struct StretchFilter {
    private let stretches: [SlotStretch]
    private var next = 0

    init(_ stretches: [SlotStretch]) {
        self.stretches = stretches
    }

    mutating func admits(slotMs: Int64, targetId: Int64) -> Bool {
        while next < stretches.count, stretches[next].range.upperBound <= slotMs { next += 1 }
        guard next < stretches.count, stretches[next].range.lowerBound <= slotMs else { return false }
        return stretches[next].targetId.map { $0 == targetId } ?? true
    }
}
