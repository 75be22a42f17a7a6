import Foundation
public import JinaHistoryCore
import NIOCore
import PostgresNIO
import Synchronization

/// The writer of a history in PostgreSQL (``HistoryWriting``). Each call is one transaction; a batch of rounds is a
/// handful of statements whatever its size (rows go in as arrays through `unnest`, about 215,000 rows/s measured,
/// where a statement per row managed 377), so a recorder of a thousand targets makes one commit a second.
///
/// A lost connection makes the call throw, and the next call connects again (at most once per backoff step, so a
/// server that is down is not hammered): the recorder keeps the rounds queued meanwhile. A commit whose
/// acknowledgement was lost is told apart from one that failed by the run's count of committed batches, so its
/// rounds are never written twice.
public final class PostgresHistoryWriter: HistoryWriting {
    /// The database, as printed (no password).
    public var location: String { address.description }
    private let address: PostgresAddress
    private let state: Mutex<State>

    /// Guarded by the writer's lock; unchecked only because a stored error (`lost`) is not `Sendable`.
    private struct State: @unchecked Sendable {
        var session: PostgresSession
        /// Error-text ids already known, so repeated failures cost no lookup.
        var errorIds: [FailureDetail: Int64] = [:]
        var rollups = RollupLedger()
        /// Batches of the current run this writer committed, as the database counts them.
        var batches: Int64 = 0
        /// The last batch whose commit may have landed although it threw: its rounds, deliveries and rollups.
        var unsure: (rounds: Set<RoundKey>, deliveries: Set<DeliveryKey>, rollups: RollupLedger.Batch)?
        /// The connection was lost: until `retryAfter` calls fail at once with this, then connecting is tried
        /// again; each failure in a row doubles the wait, up to 30 s.
        var lost: (any Error)?
        var retryAfter = ContinuousClock.now
        var backoff = Duration.milliseconds(250)
    }

    /// Connects to the database at `address` and brings its schema to this binary's version (under the advisory
    /// lock, so recorders starting together do not race).
    ///
    /// - throws: ``JinaHistoryError`` (storage) when the server cannot be reached or refuses, or the database's
    ///   schema is newer (left untouched).
    public init(address: PostgresAddress, deadlineMs: Int64 = 10_000) throws {
        self.address = address
        let connector = PostgresConnector(address: address, deadlineMs: deadlineMs)
        try PostgresSchema.migrate(connector)
        state = Mutex(State(session: PostgresSession(connector: connector)))
    }

    public func beginRun(startedMs: Int64, host: String, vantage: String, pid: Int, version: String,
                         targets: [ScheduledTarget], exclusive: Bool) throws -> (runId: Int64, targetIds: [Int64]) {
        try write { state in
            let session = state.session
            let began = try session.transaction { () throws -> (runId: Int64, targetIds: [Int64]) in
                if exclusive {
                    // Two recorders starting at once wait for each other here, so both cannot pass the check.
                    try session.execute("SELECT pg_advisory_xact_lock(\(PostgresMigrator.lockKey + 1))")
                    let runs = try PostgresSnapshot.runs(session,
                                                         schemaVersion: PostgresSchema.migrator.knownVersion)
                    if let running = runs.runningRecorder(vantage: vantage, nowMs: startedMs) {
                        throw JinaHistoryError.recorderRunning(RunningRecorder(
                            location: location, pid: running.pid, host: running.host, vantage: running.vantage,
                            sinceMs: running.startedMs, runId: running.id))
                    }
                }
                let runId = try session.value("""
                    INSERT INTO recorder_run (started_ms, heartbeat_ms, host, vantage, pid, version)
                    VALUES (\(startedMs), \(startedMs), \(host), \(vantage), \(pid), \(version)) RETURNING id
                    """, as: Int64.self) ?? 0
                var targetIds: [Int64] = []
                for scheduled in targets {
                    let target = scheduled.target
                    let policy = scheduled.policy
                    let url = target.endpoint.description
                    let id = try session.value("""
                        INSERT INTO target (name, kind, url, created_ms, labels)
                        VALUES (\(target.name), \(target.kind.rawValue), \(url), \(startedMs),
                                \(StoredTarget.storedLabels(target.labels)))
                        ON CONFLICT (name) DO UPDATE SET kind = excluded.kind, url = excluded.url,
                            labels = excluded.labels
                        RETURNING id
                        """, as: Int64.self) ?? 0
                    try session.execute("""
                        INSERT INTO run_target (run_id, target_id, url, interval_ms, timeout_ms, attempts, \
                        retry_delay_ms, min_successes, failure_threshold, success_threshold)
                        VALUES (\(runId), \(id), \(url), \(policy.intervalMs), \(policy.timeoutMs), \(policy.attempts),
                                \(policy.retryDelayMs), \(policy.minSuccesses), \(policy.failureThreshold),
                                \(policy.successThreshold))
                        """)
                    targetIds.append(id)
                }
                return (runId, targetIds)
            }
            state.rollups.begin(runId: began.runId,
                                targets: zip(began.targetIds, targets).map { ($0, $1.policy.intervalMs) })
            state.batches = 0
            state.unsure = nil
            return began
        }
    }

    public func resumeRun(_ runId: Int64, targets: [(id: Int64, intervalMs: Int64)]) throws {
        try write { state in
            state.batches = try state.session.value(
                "SELECT batches FROM recorder_run WHERE id = \(runId)", as: Int64.self) ?? 0
            state.rollups.begin(runId: runId, targets: targets)
            state.unsure = nil
        }
    }

    public func append(_ rounds: [RecordedRound], deliveries: [NotificationDelivery], runId: Int64,
                       heartbeatMs: Int64, endingFault: StorageFault?) throws {
        try write { state in
            let session = state.session
            var rounds = rounds[...]
            var deliveries = deliveries[...]
            var rollupBatch = state.rollups.plan(Array(rounds), runId: runId)
            do {
                try session.transaction {
                    // Counting the batch first locks the run's row and says whether the last batch landed, in
                    // one statement. The run's last stored slot bounds where a report looks for its raw rounds
                    // (migration 0011); greatest() passes over a NULL.
                    let stored = try session.value("""
                        UPDATE recorder_run SET heartbeat_ms = greatest(heartbeat_ms, \(heartbeatMs)),
                            batches = batches + 1,
                            last_slot_ms = greatest(last_slot_ms, \(rounds.map(\.round.scheduledMs).max())::int8)
                        WHERE id = \(runId) RETURNING batches - 1
                        """, as: Int64.self) ?? 0
                    if stored > state.batches, let unsure = state.unsure {
                        // The last batch was committed after all: this one starts with its rounds (the recorder
                        // keeps them queued until a write succeeds), which are stored already.
                        state.batches = stored
                        state.rollups.commit(unsure.rollups)
                        state.unsure = nil
                        rounds = rounds.filter { !unsure.rounds.contains(RoundKey($0)) }[...]
                        deliveries = deliveries.filter { !unsure.deliveries.contains(DeliveryKey($0)) }[...]
                        rollupBatch = state.rollups.plan(Array(rounds), runId: runId)
                    }
                    if let fault = endingFault { try Self.store(fault, runId: runId, session) }
                    try store(Array(rounds), runId: runId, &state)
                    try Self.store(rollupBatch.spans, in: .base, session)
                    try Self.store(rollupBatch.days, in: .day, session)
                    try store(rollupBatch.loose, &state)
                    try Self.store(Array(deliveries), runId: runId, session)
                }
            } catch {
                state.unsure = (Set(rounds.map(RoundKey.init)), Set(deliveries.map(DeliveryKey.init)), rollupBatch)
                throw error
            }
            state.batches += 1
            state.unsure = nil
            state.rollups.commit(rollupBatch)
        }
    }

    public func finishRun(_ runId: Int64, stoppedMs: Int64) throws {
        try write { state in
            let session = state.session
            let closing = state.rollups.closing(runId: runId)
            try session.transaction {
                try Self.store(closing.spans, in: .base, session)
                try Self.store(closing.days, in: .day, session)
                try store(closing.loose, &state)
                try session.execute("""
                    UPDATE recorder_run SET heartbeat_ms = greatest(heartbeat_ms, \(stoppedMs)),
                        stopped_ms = \(stoppedMs) WHERE id = \(runId)
                    """)
            }
        }
    }

    /// Nothing to do: a commit is durable in PostgreSQL's own log.
    public func checkpoint() {}

    public func annotateMaintenance(targetName: String?, fromMs: Int64, toMs: Int64, note: String,
                                    createdMs: Int64) throws {
        try write { state in
            let session = state.session
            try session.transaction {
                let targetId = try targetName.map { try PostgresSnapshot.targetId(named: $0, session) }
                try session.execute("""
                    INSERT INTO annotation (target_id, kind, from_ms, to_ms, note, created_ms)
                    VALUES (\(targetId), 'maintenance', \(fromMs), \(toMs), \(note), \(createdMs))
                    """)
            }
        }
    }

    public func deleteMaintenance(id: Int64, deletedMs: Int64) throws -> MaintenanceWindow {
        try write { state in
            let session = state.session
            return try session.transaction {
                guard let row = try session.rows("""
                    SELECT id, target_id, from_ms, to_ms, note, deleted_ms FROM annotation
                    WHERE id = \(id) AND kind = 'maintenance' FOR UPDATE
                    """).first
                else {
                    throw JinaHistoryError.invalid(.delete, value: "\(id)", .noSuchMaintenanceWindow)
                }
                let window = try PostgresSnapshot.maintenanceWindow(row)
                if let deletedMs = window.deletedMs {
                    throw JinaHistoryError.invalid(.delete, value: "\(id)", .deletedAlready(atMs: deletedMs))
                }
                try session.execute("UPDATE annotation SET deleted_ms = \(deletedMs) WHERE id = \(id)")
                return window
            }
        }
    }

    /// Deletes the raw rounds (and their attempts) that rollup spans ending before `beforeMs` cover, a few spans per
    /// transaction, as the SQLite engine does (docs/storage.md); PostgreSQL's autovacuum reuses the space, so no
    /// pages are given back here.
    public func prune(beforeMs: Int64, nowMs: Int64) throws -> PruneResult {
        try write { state in
            let session = state.session
            var result = PruneResult()
            let (pruneId, earlier) = try session.transaction { () throws -> (Int64, Int64?) in
                let earlier = try session.value(
                    "SELECT max(before_ms) FROM prune WHERE finished_ms IS NOT NULL", as: Int64?.self) ?? nil
                let id = try session.value("""
                    INSERT INTO prune (before_ms, at_ms, rounds, attempts) VALUES (\(beforeMs), \(nowMs), 0, 0)
                    RETURNING id
                    """, as: Int64.self) ?? 0
                return (id, earlier)
            }
            var key = ((earlier ?? Int64.min / 2) - RollupSpan.longestMs, Int64.min, Int64.min)
            var done = false
            while !done {
                done = try session.transaction {
                    let spans = try session.rows("""
                        SELECT first_ms, target_id, run_id, last_ms FROM rollup
                        WHERE last_ms < \(beforeMs) AND (first_ms, target_id, run_id) > (\(key.0), \(key.1), \(key.2))
                        ORDER BY first_ms, target_id, run_id LIMIT \(Self.spansPerPruneBatch)
                        """)
                    for row in spans {
                        let (firstMs, targetId, runId, lastMs) = try decoded(row, as: (Int64, Int64, Int64, Int64).self)
                        result.attempts += try session.rows("""
                            DELETE FROM attempt WHERE scheduled_ms BETWEEN \(firstMs) AND \(lastMs)
                            AND target_id = \(targetId) AND run_id = \(runId) RETURNING 1
                            """).count
                        result.rounds += try session.rows("""
                            DELETE FROM round WHERE scheduled_ms BETWEEN \(firstMs) AND \(lastMs)
                            AND target_id = \(targetId) AND run_id = \(runId) RETURNING 1
                            """).count
                        key = (firstMs, targetId, runId)
                    }
                    let finished = spans.count < Self.spansPerPruneBatch
                    try session.execute("""
                        UPDATE prune SET rounds = \(result.rounds), attempts = \(result.attempts),
                            finished_ms = \(finished ? nowMs : nil) WHERE id = \(pruneId)
                        """)
                    return finished
                }
            }
            return result
        }
    }

    /// Spans whose rounds one prune transaction deletes: about 36,000 rounds at a 1 s interval.
    private static let spansPerPruneBatch = 60

    // MARK: - Rows

    private func store(_ rounds: [RecordedRound], runId: Int64, _ state: inout State) throws {
        guard !rounds.isEmpty else { return }
        var columns = RoundColumns()
        var attempts = AttemptColumns()
        for recorded in rounds {
            let round = recorded.round
            columns.append(round, targetId: recorded.targetId)
            guard !round.isInlineHealthy else { continue }
            for attempt in round.attempts {
                let errorRow = try attempt.failure.map { try errorId(for: $0, &state) }
                attempts.append(attempt, of: round, targetId: recorded.targetId, errorId: errorRow)
            }
        }
        let session = state.session
        try session.execute("""
            INSERT INTO round (scheduled_ms, target_id, run_id, start_lag_ms, duration_us, verdict, attempts)
            SELECT s, t, \(runId), l, d, v, a
            FROM unnest(\(columns.slots.arrayText)::int8[], \(columns.targets.arrayText)::int8[],
                        \(columns.lags.arrayText)::int8[], \(columns.durations.arrayText)::int8[],
                        \(columns.verdicts.arrayText)::int8[], \(columns.attempts.arrayText)::int8[])
                 AS r(s, t, l, d, v, a)
            """)
        if !attempts.slots.isEmpty {
            try session.execute("""
                INSERT INTO attempt (scheduled_ms, target_id, run_id, role, n, started_ms, duration_us, ok, raw_code,
                                     error_id)
                SELECT s, t, \(runId), role, n, st, d, ok, nullif(code, \(AttemptColumns.none)),
                       nullif(e, \(AttemptColumns.none))
                FROM unnest(\(attempts.slots.arrayText)::int8[], \(attempts.targets.arrayText)::int8[],
                            \(attempts.roles.arrayText)::int8[], \(attempts.numbers.arrayText)::int8[],
                            \(attempts.starts.arrayText)::int8[], \(attempts.durations.arrayText)::int8[],
                            \(attempts.oks.arrayText)::int8[], \(attempts.codes.arrayText)::int8[],
                            \(attempts.errors.arrayText)::int8[])
                     AS a(s, t, role, n, st, d, ok, code, e)
                """)
        }
        for recorded in rounds {
            guard let transition = recorded.transition else { continue }
            let errorRow = try transition.failure.map { try errorId(for: $0, &state) }
            try session.execute("""
                INSERT INTO transition (target_id, run_id, at_ms, from_state, to_state, round_scheduled_ms,
                                        streak_started_ms, error_id)
                VALUES (\(recorded.targetId), \(runId), \(transition.atMs), \(transition.from.rawValue),
                        \(transition.to.rawValue), \(transition.roundScheduledMs), \(transition.streakStartedMs),
                        \(errorRow))
                """)
        }
    }

    private static func store(_ fault: StorageFault, runId: Int64, _ session: PostgresSession) throws {
        try session.execute("""
            INSERT INTO storage_fault (run_id, from_ms, to_ms, failed_writes, rounds_dropped, error)
            VALUES (\(runId), \(fault.fromMs), \(fault.toMs), \(fault.failedWrites), \(fault.roundsDropped),
                    \(fault.message))
            ON CONFLICT (run_id, from_ms) DO UPDATE SET to_ms = excluded.to_ms,
                failed_writes = excluded.failed_writes, rounds_dropped = excluded.rounds_dropped, error = excluded.error
            """)
    }

    private static func store(_ deliveries: [NotificationDelivery], runId: Int64, _ session: PostgresSession) throws {
        for delivery in deliveries {
            let finishedMs = max(delivery.finishedMs, delivery.queuedMs)
            try session.execute("""
                INSERT INTO notification (run_id, target_id, event, transition_at_ms, queued_ms, finished_ms,
                                          destination, attempts, outcome, status, error)
                VALUES (\(runId), \(delivery.targetId), \(delivery.event.rawValue), \(delivery.transitionAtMs),
                        \(delivery.queuedMs), \(finishedMs), \(delivery.destination), \(delivery.attempts),
                        \(delivery.outcome.rawValue), \(delivery.status), \(delivery.error))
                """)
        }
    }

    /// Inserts spans, or updates the ones earlier batches stored while they were still growing.
    private static func store(_ spans: [RollupSpan], in level: RollupLevel, _ session: PostgresSession) throws {
        guard !spans.isEmpty else { return }
        // One statement may touch a row once: a batch can grow the same span (or day span) more than once, and its
        // last state is the one to keep.
        var latest: [SpanKey: Int] = [:]
        for (index, span) in spans.enumerated() {
            latest[SpanKey(targetId: span.targetId, runId: span.runId, firstMs: span.firstMs, lastMs: 0)] = index
        }
        let spans = latest.values.sorted().map { spans[$0] }
        func column<T>(_ value: (RollupSpan) -> T) -> [T] { spans.map(value) }
        func bytes(_ histogram: (RollupSpan) -> LatencyHistogram) -> [ByteBuffer] {
            spans.map { ByteBuffer(bytes: histogram($0).encodedBuckets) }
        }
        try session.execute("""
            INSERT INTO \(unescaped: level.table) (first_ms, target_id, run_id, last_ms, last_duration_us, verdict,
                rounds, flaky, attempts, ok_attempts, ok_sum_us, ok_sum_sq_us, ok_min_us, ok_max_us, ok_histogram,
                fail_sum_us, fail_sum_sq_us, fail_min_us, fail_max_us, fail_histogram)
            SELECT * FROM unnest(
                \(column(\.firstMs))::int8[], \(column(\.targetId))::int8[], \(column(\.runId))::int8[],
                \(column(\.lastMs))::int8[], \(column(\.lastDurationUs))::int8[],
                \(column { Int64($0.verdict.rawValue) })::int2[], \(column { Int64($0.rounds) })::int8[],
                \(column { Int64($0.flaky) })::int8[], \(column { Int64($0.attempts) })::int8[],
                \(column(\.success.count))::int8[], \(column(\.success.sumUs))::int8[],
                \(column(\.success.sumSquaresUs))::float8[], \(column(\.success.minUs))::int8[],
                \(column(\.success.maxUs))::int8[], \(bytes(\.success))::bytea[],
                \(column(\.failure.sumUs))::int8[], \(column(\.failure.sumSquaresUs))::float8[],
                \(column(\.failure.minUs))::int8[], \(column(\.failure.maxUs))::int8[], \(bytes(\.failure))::bytea[])
            ON CONFLICT (first_ms, target_id, run_id) DO UPDATE SET last_ms = excluded.last_ms,
                last_duration_us = excluded.last_duration_us, rounds = excluded.rounds, flaky = excluded.flaky,
                attempts = excluded.attempts, ok_attempts = excluded.ok_attempts, ok_sum_us = excluded.ok_sum_us,
                ok_sum_sq_us = excluded.ok_sum_sq_us, ok_min_us = excluded.ok_min_us, ok_max_us = excluded.ok_max_us,
                ok_histogram = excluded.ok_histogram, fail_sum_us = excluded.fail_sum_us,
                fail_sum_sq_us = excluded.fail_sum_sq_us, fail_min_us = excluded.fail_min_us,
                fail_max_us = excluded.fail_max_us, fail_histogram = excluded.fail_histogram
            """)
    }

    /// Inserts loose stretches (a stretch written again, by a retried batch, is replaced).
    private func store(_ stretches: [LooseRounds], _ state: inout State) throws {
        guard !stretches.isEmpty else { return }
        var data: [ByteBuffer] = []
        for stretch in stretches {
            data.append(ByteBuffer(bytes: try LooseRoundsCodec.encode(stretch.rounds, firstMs: stretch.firstMs) {
                try errorId(for: $0, &state)
            }))
        }
        try state.session.execute("""
            INSERT INTO loose_rounds (first_ms, target_id, run_id, last_ms, rounds, data)
            SELECT * FROM unnest(\(stretches.map(\.firstMs))::int8[], \(stretches.map(\.targetId))::int8[],
                                 \(stretches.map(\.runId))::int8[], \(stretches.map(\.lastMs))::int8[],
                                 \(stretches.map { Int64($0.rounds.count) })::int8[], \(data)::bytea[])
            ON CONFLICT (first_ms, target_id, run_id) DO UPDATE SET last_ms = excluded.last_ms,
                rounds = excluded.rounds, data = excluded.data
            """)
    }

    private func errorId(for failure: FailureDetail, _ state: inout State) throws -> Int64 {
        if let known = state.errorIds[failure] { return known }
        let id = try state.session.value("""
            INSERT INTO error (class, exception, message, deployment, addresses)
            VALUES (\(failure.errorClass.rawValue), \(failure.exception), \(failure.message), \(failure.deployment),
                    \(failure.addresses))
            ON CONFLICT (class, md5(exception), md5(message)) DO UPDATE SET class = excluded.class RETURNING id
            """, as: Int64.self) ?? 0
        state.errorIds[failure] = id
        return id
    }

    /// Runs `body` with the writer's state, unless the connection was lost and its backoff is not over. A failure
    /// forgets what the rolled-back transaction may have taught (error ids); a lost connection starts or doubles
    /// the backoff.
    private func write<T>(_ body: (inout State) throws -> T) throws -> T {
        try state.withLock { state in
            if let lost = state.lost, ContinuousClock.now < state.retryAfter { throw lost }
            do {
                let result = try body(&state)
                state.lost = nil
                state.backoff = .milliseconds(250)
                return result
            } catch {
                state.errorIds.removeAll()
                if !state.session.isConnected {
                    state.lost = error
                    state.retryAfter = .now + state.backoff
                    state.backoff = min(state.backoff * 2, .seconds(30))
                }
                throw error
            }
        }
    }
}

/// Which round a stored row is: its target and slot (one run per writer).
private struct RoundKey: Hashable {
    var targetId: Int64
    var slotMs: Int64

    init(_ recorded: RecordedRound) {
        targetId = recorded.targetId
        slotMs = recorded.round.scheduledMs
    }
}

/// Which notification outcome a stored row is.
private struct DeliveryKey: Hashable {
    var targetId: Int64
    var queuedMs: Int64
    var transitionAtMs: Int64
    var destination: String

    init(_ delivery: NotificationDelivery) {
        targetId = delivery.targetId
        queuedMs = delivery.queuedMs
        transitionAtMs = delivery.transitionAtMs
        destination = delivery.destination
    }
}

extension [Int64] {
    /// The array as PostgreSQL's text form (`{1,2,3}`), bound as one string and cast on the server: the driver's
    /// binary arrays cost a call per element, which made writing a batch slower than probing it.
    fileprivate var arrayText: String { "{" + map(String.init).joined(separator: ",") + "}" }
}

/// A batch's rounds as columns, for one `unnest` insert.
private struct RoundColumns {
    var slots: [Int64] = []
    var targets: [Int64] = []
    var lags: [Int64] = []
    var durations: [Int64] = []
    var verdicts: [Int64] = []
    var attempts: [Int64] = []

    mutating func append(_ round: RoundRecord, targetId: Int64) {
        slots.append(round.scheduledMs)
        targets.append(targetId)
        lags.append(round.startLagMs)
        durations.append(round.durationUs)
        verdicts.append(Int64(round.verdict.rawValue))
        attempts.append(Int64(round.readinessAttempts.count))
    }
}

/// A batch's stored attempts as columns, for one `unnest` insert; ``none`` stands for NULL (arrays are bound
/// without nulls).
private struct AttemptColumns {
    static let none = Int64.min
    var slots: [Int64] = []
    var targets: [Int64] = []
    var roles: [Int64] = []
    var numbers: [Int64] = []
    var starts: [Int64] = []
    var durations: [Int64] = []
    var oks: [Int64] = []
    var codes: [Int64] = []
    var errors: [Int64] = []

    mutating func append(_ attempt: AttemptRecord, of round: RoundRecord, targetId: Int64, errorId: Int64?) {
        slots.append(round.scheduledMs)
        targets.append(targetId)
        roles.append(Int64(attempt.role.rawValue))
        numbers.append(Int64(attempt.number))
        starts.append(attempt.startedMs)
        durations.append(attempt.durationUs)
        oks.append(attempt.succeeded ? 1 : 0)
        codes.append(attempt.rawCode.map(Int64.init) ?? Self.none)
        errors.append(errorId ?? Self.none)
    }
}
